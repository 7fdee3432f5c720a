// The one definition of the flag that native/glibc_compat.h substitutes for glibc's
// `__libc_single_threaded` (see there). 0: the process may be multi-threaded.
#if defined(__GLIBC__)
extern "C" {
char spreadvec_libc_single_threaded = 0;
}
#endif
