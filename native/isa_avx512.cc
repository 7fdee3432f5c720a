// placeholder so the AVX-512 library is never empty
namespace spreadvec { int avx512_unit_linked() { return 3; } }
