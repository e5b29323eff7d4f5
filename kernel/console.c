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

/* The terminal's input line as shown (console lock) */
static struct {
	char text[VMM_CONSOLE_INPUT_MAX];
	u32 len, cursor;
	bool interactive;	/* someone types: keep the line at the bottom */
	bool visible;		/* the line is the last thing on the console */
} input;
static bool raw_open;		/* raw bytes (a bound guest) left a line open */

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
	arch_console_sync();
}

/*
 * Another line is about to be written: take the input line away (lock
 * held). Before the first key the prompt stays, and the line starts below
 * it (no escape sequence in a captured boot).
 */
static void input_erase_locked(void)
{
	if (raw_open) {		/* a whole line, not inside the guest's */
		arch_console_write("\n", 1);
		raw_open = false;
	}
	if (!input.len || __atomic_load_n(&console_lockless, __ATOMIC_ACQUIRE))
		return;
	if (input.interactive)
		arch_console_write("\r\x1b[K", 4);
	else if (input.visible)
		arch_console_write("\n", 1);
	input.visible = false;
}

/* ... and draw it again below that line, the cursor where it was. */
static void input_redraw_locked(void)
{
	char seq[16];
	u32 back, i = sizeof(seq);

	if (!input.interactive || !input.len ||
	    __atomic_load_n(&console_lockless, __ATOMIC_ACQUIRE))
		return;
	arch_console_write(input.text, input.len);
	input.visible = true;
	back = input.len - input.cursor;
	if (!back)
		return;
	/* ESC [ <back> D, the number written backwards from the end */
	seq[--i] = 'D';
	for (; back; back /= 10)
		seq[--i] = (char)('0' + back % 10);
	seq[--i] = '[';
	seq[--i] = '\x1b';
	arch_console_write(seq + i, sizeof(seq) - i);
}

/* The pending text and then s[0..n) (ending with '\n'), lock held. */
static void write_line_locked(struct pending_line *p, const char *s, size_t n)
{
	input_erase_locked();
	if (p->len)
		arch_console_write(p->buf, p->len);
	p->len = 0;
	arch_console_write(s, n);
	input_redraw_locked();
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

	input_erase_locked();
	arch_console_write(prefix, strlen(prefix));
	arch_console_write(": ", 2);
	arch_console_write(text, n);
	arch_console_write("\n", 1);
	input_redraw_locked();
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

void vmm_console_input(const char *echo, size_t n, const char *line, size_t len,
		       size_t cursor, bool interactive)
{
	unsigned long f = console_lock_take();

	if (n)
		arch_console_write(echo, n);
	if (len > sizeof(input.text))
		len = sizeof(input.text);
	memcpy(input.text, line, len);
	input.len = (u32)len;
	input.cursor = (u32)(cursor < len ? cursor : len);
	input.interactive = interactive;
	input.visible = len != 0;
	console_lock_give(f);
}

void vmm_console_write_raw(const char *s, size_t n)
{
	unsigned long f = console_lock_take();

	arch_console_write(s, n);
	if (n)
		raw_open = s[n - 1] != '\n';
	console_lock_give(f);
}

void vmm_console_reset(void)
{
	unsigned long f = console_lock_take();

	for (u32 i = 0; i < ARCH_CPU_MAX; i++)
		pending[i].len = 0;
	input.len = input.cursor = 0;
	input.interactive = input.visible = false;
	raw_open = false;
	console_lock_give(f);
}
