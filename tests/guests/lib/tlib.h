/*
 * tests/guests/lib/tlib.h - the freestanding library of C test guests
 * (32-bit protected mode, Multiboot v1 kernels; see tests/guests/lib/
 * crt0.S and guest.ld): port I/O, output on COM1 (the emulated 16550 at
 * 0x3F8), a small printf (%s %c %d %u %x %p, width and zero padding, l/ll
 * for %x), PASS/FAIL lines in the style of tests/guests/include/rom16.inc
 * ("PASS name", "FAIL name: detail"), the end through the isa-debug-exit
 * port, and the Multiboot information structure.
 *
 * A test defines int t_main(u32 magic, const struct mb_info *info) and
 * returns t_failures (or calls t_exit itself).
 */
#ifndef TESTS_GUESTS_LIB_TLIB_H
#define TESTS_GUESTS_LIB_TLIB_H

#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define T_COM1 0x3F8
#define T_DEBUG_EXIT_PORT 0xF4

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port) { u8 v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }

/* Multiboot v1 information (specification 0.6.96, section 3.3) */
#define MB_BOOT_MAGIC 0x2BADB002u
#define MB_INFO_MEMORY (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MODS (1u << 3)
#define MB_INFO_MMAP (1u << 6)
#define MB_INFO_LOADER_NAME (1u << 9)

struct mb_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr, drives_length, drives_addr, config_table;
	u32 boot_loader_name, apm_table;
} __attribute__((packed));

struct mb_module {
	u32 mod_start, mod_end, string, reserved;
} __attribute__((packed));

struct mb_mmap_entry {
	u32 size;
	u64 base_addr, length;
	u32 type;
} __attribute__((packed));

extern int t_failures;

void t_putc(char c);
void t_puts(const char *s);
int t_vprintf(const char *fmt, va_list ap);
int t_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "PASS name" */
void t_pass(const char *name);
/* "FAIL name: detail" and a failure counted */
void t_fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* PASS when cond holds, else FAIL with the detail; returns cond */
int t_check(int cond, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* End the guest: write status (its low byte) to the isa-debug-exit port
 * (the hypervisor reports (status << 1) | 1); halts forever if the port
 * is not there. */
void t_exit(u32 status) __attribute__((noreturn));

int t_strcmp(const char *a, const char *b);
size_t t_strlen(const char *s);
int t_memcmp(const void *a, const void *b, size_t n);

/* The next memory-map entry after e, or NULL past the end of the map. */
const struct mb_mmap_entry *mb_mmap_next(const struct mb_info *info, const struct mb_mmap_entry *e);

/* Whether the Multiboot command line holds the word w (space separated). */
int t_cmdline_has(const struct mb_info *info, const char *w);
/* The decimal value of the first word "key=N" (key given with its '='); def
 * when absent. */
u32 t_cmdline_uint(const struct mb_info *info, const char *key, u32 def);

#endif
