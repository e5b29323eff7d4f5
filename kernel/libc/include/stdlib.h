/*
 * kernel/libc/include/stdlib.h - number parsing of the kernel's small libc.
 */
#ifndef XV_STDLIB_H
#define XV_STDLIB_H
#include <stddef.h>

unsigned long strtoul(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
long strtol(const char *s, char **end, int base);
#endif
