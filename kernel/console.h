/*
 * kernel/console.h - the host console writer: everything the hypervisor
 * shows on its console (log lines from printk, guest console lines from
 * vserial) passes here and leaves as whole lines.
 *
 * One console lock is held around each whole line, so lines from different
 * CPUs, and guest lines against hypervisor lines, never mix inside a line.
 * Text without its final '\n' is kept in a per-CPU pending buffer until the
 * line is ended by a later write from the same CPU (or vmm_console_flush()
 * or the buffer is full: then it is written with a '\n' added). After
 * vmm_printk_break_lock() (panic: the other CPUs are stopped, one may hold
 * the lock) everything is written at once, without the lock.
 *
 * The terminal's input line (its prompt and what is typed so far) stays at
 * the bottom once someone has typed at the terminal: every other line then
 * first erases it ("\r" ESC "[K"), is written, and the input line is drawn
 * again after it with the cursor where it was (vmm_console_input()). Before
 * the first key, the console is a plain log (captured boots see no escape
 * sequences): the first line after the prompt starts on a line of its own.
 *
 * Raw output: a terminal bound to a guest console gets the guest's bytes as
 * they come (vmm_console_write_raw()), with no line discipline; a line
 * written after raw bytes that left a line open starts on a new line.
 *
 * Limits: the pending buffer is per CPU, not per thread or per interrupt
 * level: an interrupt handler printing between two halves of a line on the
 * same CPU joins that line.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include "kernel/types.h"

/* The longest partial line kept per CPU before it is written out cut. */
#define VMM_CONSOLE_PENDING_MAX 512

/* Write text (any number of lines, maybe a partial last one): each complete
 * line is written whole, after what this CPU had pending. */
void vmm_console_write(const char *s, size_t n);
/* Write "<prefix>: <text>\n" as one line, ahead of (never inside) any
 * CPU's pending partial line. text must hold no '\n'. */
void vmm_console_write_line(const char *prefix, const char *text, size_t n);
/* Write this CPU's pending partial line now, as it is (no '\n' added):
 * a prompt that must show before its line ends. */
void vmm_console_flush(void);
/* The input line: its longest text (prompt and line) kept for redrawing. */
#define VMM_CONSOLE_INPUT_MAX 320

/*
 * The terminal shows a change of its input line: 'echo' (n bytes: the
 * editor's redraw sequence) is written, and the console remembers the line
 * as it now stands (prompt included, 'len' bytes, the cursor at column
 * 'cursor') to draw it again under other lines. One lock hold, so no other
 * line comes between the echo and the record. 'interactive' says a person
 * types at the terminal (from then on other lines erase and redraw the
 * input line); len == 0: no input line (a command runs, or the terminal is
 * bound to a guest console).
 */
void vmm_console_input(const char *echo, size_t n, const char *line, size_t len,
		       size_t cursor, bool interactive);
/* Write bytes as they are (no line discipline, no input line handling). */
void vmm_console_write_raw(const char *s, size_t n);
/* Drop every CPU's pending text (tests). */
void vmm_console_reset(void);
/* From now on no lock (panic): see vmm_printk_break_lock(). */
void vmm_console_break_lock(void);

#endif
