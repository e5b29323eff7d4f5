/*
 * kernel/vserial.c - virtual serial endpoints (vserial.h): the list, the
 * output ring, the routing of output to the console or the bound sink,
 * muting, and the host-to-device path through the input queue.
 */
#include <string.h>
#include "kernel/vserial.h"
#include "kernel/console.h"
#include "kernel/heap.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/spinlock.h"

static struct vmm_vserial *all_endpoints;
static vmm_spinlock_t vserial_lock = VMM_SPINLOCK_INIT;
static volatile bool console_muted;	/* the terminal is bound to one endpoint */

struct vmm_vserial *vmm_vserial_create(const char *guest, const char *node)
{
	struct vmm_vserial *vs = vmm_zalloc(sizeof(*vs));
	unsigned long f;

	if (!vs)
		return NULL;
	vmm_snprintf(vs->name, sizeof(vs->name), "%s/%s", guest, node);
	vmm_snprintf(vs->prefix, sizeof(vs->prefix), "%s", guest);
	f = vmm_spin_lock_irqsave(&vserial_lock);
	vs->next = all_endpoints;
	all_endpoints = vs;
	vmm_spin_unlock_irqrestore(&vserial_lock, f);
	return vs;
}

void vmm_vserial_unregister(struct vmm_vserial *vs)
{
	struct vmm_vserial **link;
	struct vmm_vserial_sink *sink;
	unsigned long f;

	if (!vs)
		return;
	f = vmm_spin_lock_irqsave(&vserial_lock);
	for (link = &all_endpoints; *link && *link != vs; link = &(*link)->next)
		;
	if (*link)
		*link = vs->next;
	vmm_spin_lock(&vs->out_lock);
	sink = vs->sink;
	vs->sink = NULL;
	vmm_spin_unlock(&vs->out_lock);
	vs->input = NULL;
	vs->polled = false;
	vmm_spin_unlock_irqrestore(&vserial_lock, f);
	if (sink && sink->detached)
		sink->detached(sink, vs);
	vmm_vserial_flush(vs);
	vmm_free(vs);
}

void vmm_vserial_destroy(struct vmm_vserial *vs)
{
	vmm_vserial_unregister(vs);
}

/* Write out the console line so far; the output lock is held. */
static void flush_locked(struct vmm_vserial *vs)
{
	if (!vs->len)
		return;
	vmm_console_write_line(vs->prefix, vs->line, vs->len);
	vs->len = 0;
}

/* Bind 'sink' unless one is bound (vserial lock held). */
static int attach_locked(struct vmm_vserial *vs, struct vmm_vserial_sink *sink)
{
	int rc = VMM_OK;

	vmm_spin_lock(&vs->out_lock);
	if (vs->sink) {
		rc = -VMM_EBUSY;
	} else {
		flush_locked(vs);	/* the console line so far, before the sink's bytes */
		vs->sink = sink;
	}
	vmm_spin_unlock(&vs->out_lock);
	return rc;
}

/* Host bytes have somewhere to go: a receiver, or the guest asks (polled). */
static bool takes_input(const struct vmm_vserial *vs)
{
	return vs->input || vs->polled;
}

int vmm_vserial_attach(struct vmm_vserial *vs, struct vmm_vserial_sink *sink)
{
	unsigned long f = vmm_spin_lock_irqsave(&vserial_lock);
	int rc = attach_locked(vs, sink);

	vmm_spin_unlock_irqrestore(&vserial_lock, f);
	return rc;
}

static struct vmm_vserial *find_locked(const char *name);

/* The endpoint 'name' if it takes input (lock held); else NULL and *rc
 * says why: -VMM_ENOENT (no such endpoint) or -VMM_ENOSYS (no input). */
static struct vmm_vserial *find_input_locked(const char *name, int *rc)
{
	struct vmm_vserial *vs = find_locked(name);

	*rc = !vs ? -VMM_ENOENT : !takes_input(vs) ? -VMM_ENOSYS : VMM_OK;
	return *rc ? NULL : vs;
}

int vmm_vserial_refused(const char *op, const char *name, int rc)
{
	if (rc == -VMM_ENOENT)
		vmm_printk(VMM_LOG_EMERG, "vserial: no endpoint '%s' (see 'vserial list')\n", name);
	else if (rc == -VMM_ENOSYS && !strcmp(op, "bind"))
		vmm_printk(VMM_LOG_EMERG, "vserial bind: %s takes no input (see 'vserial dump %s')\n",
			   name, name);
	else if (rc == -VMM_ENOSYS)
		vmm_printk(VMM_LOG_EMERG, "vserial: %s takes no input\n", name);
	else if (rc == -VMM_EBUSY)
		vmm_printk(VMM_LOG_EMERG, "vserial %s: %s is bound already\n", op, name);
	return rc;
}

int vmm_vserial_takes_input(const char *name)
{
	unsigned long f = vmm_spin_lock_irqsave(&vserial_lock);
	int rc;

	find_input_locked(name, &rc);
	vmm_spin_unlock_irqrestore(&vserial_lock, f);
	return rc;
}

int vmm_vserial_attach_name(const char *name, struct vmm_vserial_sink *sink)
{
	unsigned long f = vmm_spin_lock_irqsave(&vserial_lock);
	int rc;
	struct vmm_vserial *vs = find_input_locked(name, &rc);

	if (vs)
		rc = attach_locked(vs, sink);
	vmm_spin_unlock_irqrestore(&vserial_lock, f);
	return rc;
}

/* One endpoint's muted-line counter back to 0 (vserial lock held). */
static void mute_reset(struct vmm_vserial *vs, void *arg)
{
	(void)arg;
	vs->lines_muted = 0;
}

void vmm_vserial_mute(bool mute)
{
	if (mute)
		vmm_vserial_for_each(mute_reset, NULL);
	__atomic_store_n(&console_muted, mute, __ATOMIC_RELEASE);
}

void vmm_vserial_detach(struct vmm_vserial *vs, struct vmm_vserial_sink *sink)
{
	unsigned long f = vmm_spin_lock_irqsave(&vserial_lock);

	vmm_spin_lock(&vs->out_lock);
	if (vs->sink == sink)
		vs->sink = NULL;
	vmm_spin_unlock(&vs->out_lock);
	vmm_spin_unlock_irqrestore(&vserial_lock, f);
}

void vmm_vserial_detach_sink(struct vmm_vserial_sink *sink)
{
	unsigned long f = vmm_spin_lock_irqsave(&vserial_lock);

	for (struct vmm_vserial *vs = all_endpoints; vs; vs = vs->next) {
		vmm_spin_lock(&vs->out_lock);
		if (vs->sink == sink)
			vs->sink = NULL;
		vmm_spin_unlock(&vs->out_lock);
	}
	vmm_spin_unlock_irqrestore(&vserial_lock, f);
}

void vmm_vserial_set_input(struct vmm_vserial *vs, bool (*input)(void *priv, u8 c), void *priv)
{
	unsigned long f = vmm_spin_lock_irqsave(&vserial_lock);

	vs->input_priv = priv;
	vs->input = input;
	vmm_spin_unlock_irqrestore(&vserial_lock, f);
}

void vmm_vserial_set_input_polled(struct vmm_vserial *vs)
{
	unsigned long f = vmm_spin_lock_irqsave(&vserial_lock);

	vs->polled = true;
	vmm_spin_unlock_irqrestore(&vserial_lock, f);
}

int vmm_vserial_getc(struct vmm_vserial *vs)
{
	unsigned long f;
	int c = -1;

	if (__atomic_load_n(&vs->in_head, __ATOMIC_ACQUIRE) == vs->in_tail)
		return -1;
	f = vmm_spin_lock_irqsave(&vs->in_lock);
	if (vs->in_head != vs->in_tail)
		c = vs->in_q[vs->in_tail++ % VMM_VSERIAL_INQ];
	vmm_spin_unlock_irqrestore(&vs->in_lock, f);
	return c;
}

/* Move queued bytes to the receiver while it takes them (input lock held). */
static void pump_locked(struct vmm_vserial *vs)
{
	while (vs->in_head != vs->in_tail && vs->input &&
	       vs->input(vs->input_priv, vs->in_q[vs->in_tail % VMM_VSERIAL_INQ]))
		vs->in_tail++;
}

void vmm_vserial_input_ready(struct vmm_vserial *vs)
{
	unsigned long f;

	if (__atomic_load_n(&vs->in_head, __ATOMIC_ACQUIRE) == vs->in_tail)
		return;
	f = vmm_spin_lock_irqsave(&vs->in_lock);
	pump_locked(vs);
	vmm_spin_unlock_irqrestore(&vs->in_lock, f);
}

/* Queue host bytes and pass on what the receiver takes (vserial lock held). */
static size_t send_locked(struct vmm_vserial *vs, const u8 *buf, size_t len)
{
	size_t n = 0;

	if (!takes_input(vs))
		return 0;
	vmm_spin_lock(&vs->in_lock);
	for (; n < len && vs->in_head - vs->in_tail < VMM_VSERIAL_INQ; n++)
		vs->in_q[vs->in_head++ % VMM_VSERIAL_INQ] = buf[n];
	pump_locked(vs);
	vmm_spin_unlock(&vs->in_lock);
	vs->bytes_in += n;
	return n;
}

static struct vmm_vserial *find_locked(const char *name)
{
	for (struct vmm_vserial *vs = all_endpoints; vs; vs = vs->next)
		if (!strcmp(vs->name, name))
			return vs;
	return NULL;
}

size_t vmm_vserial_send(struct vmm_vserial *vs, const u8 *buf, size_t len)
{
	unsigned long f = vmm_spin_lock_irqsave(&vserial_lock);
	size_t n = send_locked(vs, buf, len);

	vmm_spin_unlock_irqrestore(&vserial_lock, f);
	return n;
}

int vmm_vserial_send_name(const char *name, const u8 *buf, size_t len)
{
	unsigned long f = vmm_spin_lock_irqsave(&vserial_lock);
	int rc;
	struct vmm_vserial *vs = find_input_locked(name, &rc);

	if (vs)
		rc = (int)send_locked(vs, buf, len);
	vmm_spin_unlock_irqrestore(&vserial_lock, f);
	return rc;
}

struct vmm_vserial *vmm_vserial_find(const char *name)
{
	unsigned long f = vmm_spin_lock_irqsave(&vserial_lock);
	struct vmm_vserial *vs = find_locked(name);

	vmm_spin_unlock_irqrestore(&vserial_lock, f);
	return vs;
}

struct vmm_vserial *vmm_vserial_first(void)
{
	return all_endpoints;
}

u32 vmm_vserial_for_each(void (*fn)(struct vmm_vserial *vs, void *arg), void *arg)
{
	unsigned long f = vmm_spin_lock_irqsave(&vserial_lock);
	u32 n = 0;

	for (struct vmm_vserial *vs = all_endpoints; vs; vs = vs->next, n++)
		fn(vs, arg);
	vmm_spin_unlock_irqrestore(&vserial_lock, f);
	return n;
}

u32 vmm_vserial_count(void)
{
	unsigned long f = vmm_spin_lock_irqsave(&vserial_lock);
	u32 n = 0;

	for (struct vmm_vserial *vs = all_endpoints; vs; vs = vs->next)
		n++;
	vmm_spin_unlock_irqrestore(&vserial_lock, f);
	return n;
}

int vmm_vserial_recent(const char *name, u8 *buf, size_t max, u64 *total)
{
	unsigned long f = vmm_spin_lock_irqsave(&vserial_lock);
	struct vmm_vserial *vs = find_locked(name);
	u64 held, first;
	int n;

	if (!vs) {
		vmm_spin_unlock_irqrestore(&vserial_lock, f);
		return -VMM_ENOENT;
	}
	vmm_spin_lock(&vs->out_lock);
	held = vs->bytes_out < VMM_VSERIAL_RING ? vs->bytes_out : VMM_VSERIAL_RING;
	if (held > max)
		held = max;
	first = vs->bytes_out - held;
	for (u64 i = 0; i < held; i++)
		buf[i] = vs->ring[(first + i) % VMM_VSERIAL_RING];
	if (total)
		*total = vs->bytes_out;
	n = (int)held;
	vmm_spin_unlock(&vs->out_lock);
	vmm_spin_unlock_irqrestore(&vserial_lock, f);
	return n;
}

/* A byte as the console shows it: 0 for none ('\r'), '.' for a control
 * byte (a guest cannot drive the host terminal), else itself. */
static char shown(u8 c)
{
	if (c == '\r')
		return 0;
	return (c >= 0x20 && c < 0x7f) || c == '\t' ? (char)c : '.';
}

u32 vmm_vserial_lines(const u8 *buf, size_t n, bool skip_first,
		      void (*fn)(const char *text, size_t len, void *arg), void *arg)
{
	char line[VMM_VSERIAL_LINE_MAX];
	size_t len = 0, i = 0;
	u32 lines = 0;

	if (skip_first) {
		while (i < n && buf[i] != '\n')
			i++;
		if (i < n)
			i++;
		else
			i = 0;	/* no line end at all: show what there is */
	}
	for (; i < n; i++) {
		char c;

		if (buf[i] == '\n') {
			fn(line, len, arg);
			lines++;
			len = 0;
			continue;
		}
		c = shown(buf[i]);
		if (!c)
			continue;
		line[len++] = c;
		if (len == sizeof(line)) {
			fn(line, len, arg);
			lines++;
			len = 0;
		}
	}
	if (len) {
		fn(line, len, arg);
		lines++;
	}
	return lines;
}

void vmm_vserial_flush(struct vmm_vserial *vs)
{
	unsigned long f = vmm_spin_lock_irqsave(&vs->out_lock);

	flush_locked(vs);
	vmm_spin_unlock_irqrestore(&vs->out_lock, f);
}

struct flush_guest_arg {
	const char *guest;
	size_t len;
};

static void flush_if_guest(struct vmm_vserial *vs, void *arg)
{
	const struct flush_guest_arg *a = arg;

	if (!strncmp(vs->name, a->guest, a->len) && vs->name[a->len] == '/')
		vmm_vserial_flush(vs);
}

void vmm_vserial_flush_guest(const char *guest)
{
	struct flush_guest_arg a = { guest, strlen(guest) };

	vmm_vserial_for_each(flush_if_guest, &a);
}

void vmm_vserial_putc(struct vmm_vserial *vs, u8 c)
{
	unsigned long f = vmm_spin_lock_irqsave(&vs->out_lock);
	struct vmm_vserial_sink *sink = vs->sink;
	char ch;

	vs->ring[vs->bytes_out % VMM_VSERIAL_RING] = c;
	vs->bytes_out++;
	if (sink) {
		sink->putc(sink, c);
	} else if (__atomic_load_n(&console_muted, __ATOMIC_ACQUIRE)) {
		/* the terminal is bound elsewhere: the ring has it, count lines */
		if (c == '\n') {
			vs->lines_muted++;
			vs->len = 0;
		}
	} else if (c == '\n') {
		if (!vs->len)
			vmm_console_write_line(vs->prefix, "", 0);
		flush_locked(vs);
	} else if ((ch = shown(c))) {
		vs->line[vs->len++] = ch;
		if (vs->len == sizeof(vs->line))
			flush_locked(vs);
	}
	vmm_spin_unlock_irqrestore(&vs->out_lock, f);
}
