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

static struct term_line term_line;
static struct vmm_waitqueue term_wq = VMM_WAITQUEUE_INIT;
static bool term_irq;

/*
 * The editor's echo and the prompt: through the console writer, which
 * holds a line without its end until the line ends (so no log line cuts
 * it) - the terminal shows its unfinished line at once.
 */
static void term_write(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	vmm_printk(VMM_LOG_EMERG, "%.*s", (int)n, s);
	vmm_console_flush();
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
	for (;;) {
		switch (term_line_feed(&term_line, term_getc())) {
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
