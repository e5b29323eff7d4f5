/*
 * kernel/term.c - the management terminal thread (term.h): waits for
 * bytes from the host console (woken by the receive interrupt, or polling
 * when there is none), feeds them to the line editor and runs each
 * finished line with vmm_cmd_exec_line(), then prints the prompt again.
 * While a command runs, bytes typed meanwhile are kept (type-ahead) and a
 * Ctrl-C among them interrupts the command (vmm_cmd_interrupted()). While
 * the terminal is bound to a guest console (vmm_term_bind()), keys go to
 * the guest and the guest's output comes here, until ESC x q.
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
#include "kernel/vserial.h"
#include "kernel/timer.h"
#include "kernel/term_detach.h"

#define TERM_POLL_MS 20			/* no receive interrupt: poll this often */
#define TERM_IRQ_TIMEOUT_NS 500000000ULL	/* with one: look anyway (a lost edge) */

#define TERM_ECHO_MAX 1024		/* echo bytes gathered per key */
#define TERM_AHEAD_MAX 256		/* bytes typed while a command runs */
#define TERM_ESC_HOLD_NS 1000000000ULL	/* a lone ESC goes to a bound guest after 1 s */
#define KEY_CTRL_C 0x03

static struct term_line term_line;
static struct vmm_thread *term_thread_self;
static struct vmm_waitqueue term_wq = VMM_WAITQUEUE_INIT;
static struct {
	u8 buf[TERM_AHEAD_MAX];
	u32 head, tail;
} ahead;
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

/*
 * The next byte typed: first what was typed ahead, else from the console,
 * sleeping until one comes, 'timeout_ns' pass (0: no limit) or *stop turns
 * true (someone wakes term_wq after setting it). -1: no byte.
 */
static int term_getc_wait(u64 timeout_ns, volatile bool *stop)
{
	u64 end = timeout_ns ? vmm_timer_now_ns() + timeout_ns : ~0ULL;
	unsigned long flags;
	int c;

	if (ahead.head != ahead.tail)
		return ahead.buf[ahead.tail++ % TERM_AHEAD_MAX];
	if (!term_irq) {
		while ((c = arch_console_getc()) < 0 && !(stop && *stop) &&
		       vmm_timer_now_ns() < end)
			vmm_thread_sleep_ms(TERM_POLL_MS);
		return c;
	}
	/* checked under the queue's lock: a wake-up between the check and the
	 * sleep is not lost */
	flags = vmm_spin_lock_irqsave(&term_wq.lock);
	for (;;) {
		u64 now = vmm_timer_now_ns(), nap = TERM_IRQ_TIMEOUT_NS;

		c = arch_console_getc();
		if (c >= 0 || (stop && *stop) || now >= end)
			break;
		if (end - now < nap)
			nap = end - now;
		vmm_waitqueue_sleep_locked(&term_wq, nap, &flags);
	}
	vmm_spin_unlock_irqrestore(&term_wq.lock, flags);
	return c;
}

/*
 * Ctrl-C check while a command runs (cmd.h's hook; only for the commands
 * the terminal runs): the bytes typed meanwhile are kept for the next line,
 * unless a Ctrl-C is among them - then they are dropped with it, as a
 * terminal's interrupt key flushes its input, and the command is told.
 */
static bool term_interrupted(void)
{
	bool intr = false;
	int c;

	if (vmm_thread_current() != term_thread_self)
		return false;
	while (ahead.head - ahead.tail < TERM_AHEAD_MAX && (c = arch_console_getc()) >= 0) {
		if (c == KEY_CTRL_C) {
			intr = true;
			ahead.head = ahead.tail = 0;
			continue;
		}
		ahead.buf[ahead.head++ % TERM_AHEAD_MAX] = (u8)c;
	}
	if (intr)
		vmm_console_write_raw("^C\n", 3);
	return intr;
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

/* ---- bound to a guest console ---- */

static struct {
	struct vmm_vserial_sink sink;
	volatile bool gone;		/* the endpoint was unregistered */
	volatile u8 last;		/* the last byte shown: a line left open? */
} bind;

/* The guest's output, byte by byte, as it comes (any CPU, locks held). */
static void bind_putc(struct vmm_vserial_sink *sink, u8 c)
{
	char ch = (char)c;

	(void)sink;
	vmm_console_write_raw(&ch, 1);
	bind.last = c;
}

/* The endpoint went away (its guest was destroyed): end the binding. */
static void bind_detached(struct vmm_vserial_sink *sink, struct vmm_vserial *vs)
{
	(void)sink; (void)vs;
	bind.gone = true;
	vmm_waitqueue_wake_all(&term_wq);
}

/* One endpoint's lines held back while bound, said at the detach. */
static void bind_report_muted(struct vmm_vserial *vs, void *arg)
{
	(void)arg;
	if (vs->lines_muted)
		vmm_printk(VMM_LOG_EMERG, "vserial: meanwhile %s wrote %llu line%s (see 'vserial dump %s')\n",
			   vs->name, (unsigned long long)vs->lines_muted,
			   vs->lines_muted == 1 ? "" : "s", vs->name);
}

/* Show the endpoint's last unfinished line (a prompt, say) as context. */
static void bind_show_tail(const char *name)
{
	u8 buf[VMM_VSERIAL_LINE_MAX];
	int n = vmm_vserial_recent(name, buf, sizeof(buf), NULL), from = n;

	while (from > 0 && buf[from - 1] != '\n')
		from--;
	if (n > from) {
		vmm_console_write_raw((const char *)buf + from, (size_t)(n - from));
		bind.last = buf[n - 1];
	}
}

/* A binding the boot commands asked for, made by the terminal thread. */
static struct {
	char name[VMM_VSERIAL_NAME_MAX];
	volatile bool set;
} bind_later;

int vmm_term_bind(const char *name)
{
	struct term_detach det;
	u64 lost = 0;
	bool ended_by_user = false;
	int rc;

	if (!term_thread_self || vmm_thread_current() != term_thread_self) {
		/* the boot commands: the terminal, which starts after them,
		 * binds first thing (or at once, when it runs already) */
		rc = vmm_vserial_takes_input(name);
		if (rc)
			return rc;
		strlcpy(bind_later.name, name, sizeof(bind_later.name));
		__atomic_store_n(&bind_later.set, true, __ATOMIC_RELEASE);
		vmm_waitqueue_wake_all(&term_wq);
		vmm_printk(VMM_LOG_EMERG, "vserial: the terminal binds to %s when it starts (ESC x q comes back)\n",
			   name);
		return VMM_OK;
	}
	bind.sink = (struct vmm_vserial_sink){ bind_putc, bind_detached, NULL };
	bind.gone = false;
	bind.last = '\n';
	rc = vmm_vserial_attach_name(name, &bind.sink);
	if (rc)
		return rc;	/* the command says why (kernel/cmd_vserial.c) */
	vmm_vserial_mute(true);
	vmm_printk(VMM_LOG_EMERG, "vserial: bound to %s: keys go to the guest, ESC x q comes back\n", name);
	bind_show_tail(name);
	term_detach_init(&det);
	while (!bind.gone) {
		u8 out[TERM_DETACH_HELD + 1];
		size_t n = 0;
		int c = term_getc_wait(term_detach_holding(&det) ? TERM_ESC_HOLD_NS : 0, &bind.gone);

		if (c < 0) {
			if (!bind.gone)		/* a lone ESC: the guest gets it */
				n = term_detach_flush(&det, out);
		} else if (term_detach_feed(&det, (u8)c, out, &n)) {
			ended_by_user = true;
			break;
		}
		if (n) {
			int sent = vmm_vserial_send_name(name, out, n);

			if (sent < 0)
				break;		/* gone meanwhile */
			lost += n - (size_t)sent;
		}
	}
	vmm_vserial_detach_sink(&bind.sink);
	vmm_vserial_mute(false);
	vmm_printk(VMM_LOG_EMERG, "%svserial: %s %s\n", bind.last == '\n' ? "" : "\n",
		   ended_by_user ? "detached from" : "gone:", name);
	if (lost)
		vmm_printk(VMM_LOG_EMERG, "vserial: %llu typed bytes not taken: %s's input queue was full (the guest does not read its UART)\n",
			   (unsigned long long)lost, name);
	vmm_vserial_for_each(bind_report_muted, NULL);
	return VMM_OK;
}

/* The binding the boot commands asked for, if any (vmm_term_bind()). */
static void bind_if_asked(void)
{
	int rc;

	if (!__atomic_exchange_n(&bind_later.set, false, __ATOMIC_ACQ_REL))
		return;
	rc = vmm_term_bind(bind_later.name);
	vmm_vserial_refused("bind", bind_later.name, rc);	/* gone or bound since */
}

static int term_thread(void *arg)
{
	(void)arg;
	term_thread_self = vmm_thread_current();
	vmm_cmd_set_interrupt_check(term_interrupted);
	term_irq = arch_console_rx_start(term_notify, NULL) == VMM_OK;
	if (!term_irq)
		vmm_warn("term: no console receive interrupt; polling every %u ms\n", TERM_POLL_MS);
	term_line_init(&term_line, VMM_TERM_PROMPT, term_write, vmm_term_complete, NULL);
	term_line_start(&term_line);
	bind_if_asked();
	term_show(true);
	for (;;) {
		int k = term_getc_wait(0, &bind_later.set);
		u8 c;

		if (k < 0) {
			term_show(false);
			bind_if_asked();
			term_show(true);
			continue;
		}
		c = (u8)k;

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
