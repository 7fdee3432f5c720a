// placeholder so the AVX2 library is never empty
namespace spreadvec { int avx2_unit_linked() { return 2; } }
