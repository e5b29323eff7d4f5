/*
 * tests/unit/host_compat.h - force-included (-include) into every unit-test
 * compilation unit. The kernel's own libc (kernel/libc/) is not built for the
 * host: kernel sources get glibc instead. glibc before 2.38 has no strlcpy(),
 * which the kernel uses, so it is declared here and defined in fake_arch.c.
 */
#ifndef UNIT_HOST_COMPAT_H
#define UNIT_HOST_COMPAT_H

#include <string.h>

#if defined(__GLIBC__)
#if !__GLIBC_PREREQ(2, 38)
#define UNIT_NEED_STRLCPY 1
#endif
#else
#define UNIT_NEED_STRLCPY 1
#endif

#ifdef UNIT_NEED_STRLCPY
size_t strlcpy(char *dst, const char *src, size_t size);
#endif

#endif
