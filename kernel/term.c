/*
 * kernel/term.c - the management terminal thread (term.h): waits for
 * bytes from the host console (woken by the receive interrupt, or polling
 * when there is none), feeds them to the line editor and runs each
 * finished line with vmm_cmd_exec_line(), then prints the prompt again.
 */
#include <string.h>
#include "kernel/term.h"
#include "kernel/term_line.h"
#include "kernel/cmd.h"
#include "kernel/threads.h"
#include "kernel/waitqueue.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/arch_console.h"
#include "kernel/console.h"

#define TERM_POLL_MS 20			/* no receive interrupt: poll this often */
#define TERM_IRQ_TIMEOUT_NS 500000000ULL	/* with one: look anyway (a lost edge) */

#define TERM_ECHO_MAX 1024		/* echo bytes gathered per key */

static struct term_line term_line;
static struct vmm_waitqueue term_wq = VMM_WAITQUEUE_INIT;
static bool term_irq;
static bool term_interactive;		/* a key came: keep the line at the bottom */
static struct {
	char buf[TERM_ECHO_MAX];
	size_t len;
} echo;

/*
 * Hand the echo gathered so far to the console with the line as it now
 * stands (prompt + text, cursor), or with no line at all ('editing' false:
 * a command runs). The console draws the line again under any other line.
 */
static void term_show(bool editing)
{
	char line[VMM_CONSOLE_INPUT_MAX];
	size_t plen = strlen(term_line.prompt), len = 0, cursor = 0;

	if (editing) {
		len = vmm_snprintf(line, sizeof(line), "%s%s", term_line.prompt, term_line.buf);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		cursor = plen + term_line.cur;
	}
	vmm_console_input(echo.buf, echo.len, line, len, cursor, term_interactive);
	echo.len = 0;
}

/* The editor's output (echo, prompt, redraws): gathered, shown per key. */
static void term_write(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	while (n) {
		size_t take = n < sizeof(echo.buf) - echo.len ? n : sizeof(echo.buf) - echo.len;

		memcpy(echo.buf + echo.len, s, take);
		echo.len += take;
		s += take;
		n -= take;
		if (echo.len == sizeof(echo.buf))
			term_show(true);	/* a long listing: out in pieces */
	}
}

/* Receive interrupt: bytes are waiting (interrupt context). */
static void term_notify(void *data)
{
	(void)data;
	vmm_waitqueue_wake_all(&term_wq);
}

/* The next byte from the console, sleeping until there is one. */
static u8 term_getc(void)
{
	unsigned long flags;
	int c;

	if (!term_irq) {
		while ((c = arch_console_getc()) < 0)
			vmm_thread_sleep_ms(TERM_POLL_MS);
		return (u8)c;
	}
	/* checked under the queue's lock: a wake-up between the check and the
	 * sleep is not lost */
	flags = vmm_spin_lock_irqsave(&term_wq.lock);
	while ((c = arch_console_getc()) < 0)
		vmm_waitqueue_sleep_locked(&term_wq, TERM_IRQ_TIMEOUT_NS, &flags);
	vmm_spin_unlock_irqrestore(&term_wq.lock, flags);
	return (u8)c;
}

/* Run one finished line (a copy: commands split it in place). */
static void term_run(const char *text)
{
	char line[VMM_CMD_LINE_MAX];

	term_line_history_add(&term_line, text);
	strncpy(line, text, sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	term_show(false);		/* the command's output is no input line */
	vmm_cmd_exec_line(line);
}

static int term_thread(void *arg)
{
	(void)arg;
	term_irq = arch_console_rx_start(term_notify, NULL) == VMM_OK;
	if (!term_irq)
		vmm_warn("term: no console receive interrupt; polling every %u ms\n", TERM_POLL_MS);
	term_line_init(&term_line, VMM_TERM_PROMPT, term_write, vmm_term_complete, NULL);
	term_line_start(&term_line);
	term_show(true);
	for (;;) {
		u8 c = term_getc();

		if (!term_interactive) {
			/* the first key: from now on the line stays at the bottom,
			 * drawn again here (the prompt may be far up by now) */
			term_interactive = true;
			term_write(NULL, "\r\x1b[K", 4);
			term_write(NULL, term_line.prompt, strlen(term_line.prompt));
			term_write(NULL, term_line.buf, term_line.len);
		}
		switch (term_line_feed(&term_line, c)) {
		case TERM_LINE_DONE:
			term_run(term_line_text(&term_line));
			term_line_start(&term_line);
			break;
		case TERM_LINE_CANCEL:
			term_line_start(&term_line);
			break;
		default:
			break;
		}
		term_show(true);
	}
	return VMM_OK;
}

int vmm_term_start(void)
{
	/* on the boot CPU, which takes the console's receive interrupt */
	struct vmm_thread *t = vmm_thread_create("term", term_thread, NULL,
						 VMM_THREAD_DEF_PRIORITY, 0, 1ULL << 0);

	if (!t)
		return -VMM_ENOMEM;
	return vmm_thread_start(t);
}
