/*
 * kernel/console.c - the host console writer (console.h): the console lock,
 * the per-CPU pending partial lines, and whole-line writes to the arch
 * console.
 */
#include <string.h>
#include "kernel/console.h"
#include "kernel/arch_console.h"
#include "kernel/arch_cpu.h"
#include "kernel/spinlock.h"

struct pending_line {
	char buf[VMM_CONSOLE_PENDING_MAX];
	u32 len;
};

static vmm_spinlock_t console_lock = VMM_SPINLOCK_INIT;
static volatile bool console_lockless;
static struct pending_line pending[ARCH_CPU_MAX];

/* This CPU's pending line (CPU ids beyond the bound share the last one). */
static struct pending_line *my_pending(void)
{
	unsigned int cpu = arch_cpu_id();

	return &pending[cpu < ARCH_CPU_MAX ? cpu : ARCH_CPU_MAX - 1];
}

static unsigned long console_lock_take(void)
{
	unsigned long f = arch_cpu_irq_save();

	if (!__atomic_load_n(&console_lockless, __ATOMIC_ACQUIRE))
		vmm_spin_lock(&console_lock);
	return f;
}

static void console_lock_give(unsigned long f)
{
	if (!__atomic_load_n(&console_lockless, __ATOMIC_ACQUIRE))
		vmm_spin_unlock(&console_lock);
	arch_cpu_irq_restore(f);
}

void vmm_console_break_lock(void)
{
	__atomic_store_n(&console_lockless, true, __ATOMIC_RELEASE);
}

/* The pending text and then s[0..n) (ending with '\n'), lock held. */
static void write_line_locked(struct pending_line *p, const char *s, size_t n)
{
	if (p->len)
		arch_console_write(p->buf, p->len);
	p->len = 0;
	arch_console_write(s, n);
}

void vmm_console_write(const char *s, size_t n)
{
	struct pending_line *p;
	unsigned long f = console_lock_take();

	p = my_pending();
	while (n) {
		const char *nl = memchr(s, '\n', n);
		size_t take;

		if (nl) {
			take = (size_t)(nl - s) + 1;
			write_line_locked(p, s, take);
		} else if (__atomic_load_n(&console_lockless, __ATOMIC_ACQUIRE)) {
			/* panic: nothing waits for the end of the line */
			write_line_locked(p, s, n);
			take = n;
		} else {
			take = n;
			if (take > sizeof(p->buf) - p->len)
				take = sizeof(p->buf) - p->len;
			memcpy(p->buf + p->len, s, take);
			p->len += (u32)take;
			if (p->len == sizeof(p->buf))
				write_line_locked(p, "\n", 1);	/* full: cut here */
		}
		s += take;
		n -= take;
	}
	console_lock_give(f);
}

void vmm_console_write_line(const char *prefix, const char *text, size_t n)
{
	unsigned long f = console_lock_take();

	arch_console_write(prefix, strlen(prefix));
	arch_console_write(": ", 2);
	arch_console_write(text, n);
	arch_console_write("\n", 1);
	console_lock_give(f);
}

void vmm_console_flush(void)
{
	unsigned long f = console_lock_take();
	struct pending_line *p = my_pending();

	if (p->len)
		arch_console_write(p->buf, p->len);
	p->len = 0;
	console_lock_give(f);
}

void vmm_console_reset(void)
{
	unsigned long f = console_lock_take();

	for (u32 i = 0; i < ARCH_CPU_MAX; i++)
		pending[i].len = 0;
	console_lock_give(f);
}
