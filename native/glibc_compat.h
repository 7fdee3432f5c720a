// Force-included into every translation unit (binding.gyp: -include). glibc 2.29
// gave exp, exp2, log, log2 and pow new default symbol versions (the same
// functions without the old SVID error handling); binding the calls to the older
// versions keeps the prebuilt binaries loadable on glibc 2.28 (RHEL 8, Debian 10),
// the oldest that Node.js 20 runs on. .ci/tarball-check checks the floor.
#pragma once
#if defined(__linux__) && defined(__has_include)
#if __has_include(<features.h>)
#include <features.h>  // defines __GLIBC__ (this header comes before every other)
#endif
#endif
#if defined(__GLIBC__)
// libstdc++ (GCC 11+) reads glibc 2.32's `__libc_single_threaded` to skip atomics in
// shared_ptr reference counts, which would raise the floor to 2.32. Rename it to a
// flag of our own (defined once in glibc_compat.cc), always 0: "threads may run",
// so the reference counts stay atomic — correct on every glibc.
#define __libc_single_threaded spreadvec_libc_single_threaded
#endif
#if defined(__GLIBC__) && defined(__x86_64__)
__asm__(".symver exp,exp@GLIBC_2.2.5");
__asm__(".symver exp2,exp2@GLIBC_2.2.5");
__asm__(".symver log,log@GLIBC_2.2.5");
__asm__(".symver log2,log2@GLIBC_2.2.5");
__asm__(".symver pow,pow@GLIBC_2.2.5");
#elif defined(__GLIBC__) && defined(__aarch64__)
__asm__(".symver exp,exp@GLIBC_2.17");
__asm__(".symver exp2,exp2@GLIBC_2.17");
__asm__(".symver log,log@GLIBC_2.17");
__asm__(".symver log2,log2@GLIBC_2.17");
__asm__(".symver pow,pow@GLIBC_2.17");
#endif
