/*
 * kernel/vserial.c - virtual serial endpoints (vserial.h).
 */
#include <string.h>
#include "kernel/vserial.h"
#include "kernel/heap.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/spinlock.h"

static struct vmm_vserial *all_endpoints;
static vmm_spinlock_t vserial_lock = VMM_SPINLOCK_INIT;

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
	sink = vs->sink;
	vs->sink = NULL;
	vs->input = NULL;
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

int vmm_vserial_attach(struct vmm_vserial *vs, struct vmm_vserial_sink *sink)
{
	unsigned long f = vmm_spin_lock_irqsave(&vserial_lock);
	int rc = VMM_OK;

	if (vs->sink)
		rc = -VMM_EBUSY;
	else
		__atomic_store_n(&vs->sink, sink, __ATOMIC_RELEASE);
	vmm_spin_unlock_irqrestore(&vserial_lock, f);
	if (!rc)
		vmm_vserial_flush(vs);	/* the console line so far, before the sink's bytes */
	return rc;
}

void vmm_vserial_detach(struct vmm_vserial *vs, struct vmm_vserial_sink *sink)
{
	unsigned long f = vmm_spin_lock_irqsave(&vserial_lock);

	if (vs->sink == sink)
		__atomic_store_n(&vs->sink, NULL, __ATOMIC_RELEASE);
	vmm_spin_unlock_irqrestore(&vserial_lock, f);
}

void vmm_vserial_set_input(struct vmm_vserial *vs, void (*input)(void *priv, u8 c), void *priv)
{
	unsigned long f = vmm_spin_lock_irqsave(&vserial_lock);

	vs->input_priv = priv;
	vs->input = input;
	vmm_spin_unlock_irqrestore(&vserial_lock, f);
}

/* Feed the device's receiver; the vserial lock is held. */
static size_t send_locked(struct vmm_vserial *vs, const u8 *buf, size_t len)
{
	if (!vs->input)
		return 0;
	for (size_t i = 0; i < len; i++)
		vs->input(vs->input_priv, buf[i]);
	vs->bytes_in += len;
	return len;
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
	struct vmm_vserial *vs = find_locked(name);
	int rc;

	if (!vs)
		rc = -VMM_ENOENT;
	else if (!vs->input)
		rc = -VMM_ENOSYS;
	else
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

void vmm_vserial_flush(struct vmm_vserial *vs)
{
	if (!vs->len)
		return;
	vmm_printk(VMM_LOG_EMERG, "%s: %.*s\n", vs->prefix, (int)vs->len, vs->line);
	vs->len = 0;
}

void vmm_vserial_putc(struct vmm_vserial *vs, u8 c)
{
	struct vmm_vserial_sink *sink = __atomic_load_n(&vs->sink, __ATOMIC_ACQUIRE);

	vs->bytes_out++;
	if (sink) {
		sink->putc(sink, c);
		return;
	}
	if (c == '\n') {
		if (!vs->len)
			vmm_printk(VMM_LOG_EMERG, "%s: \n", vs->prefix);
		vmm_vserial_flush(vs);
		return;
	}
	if (c == '\r')
		return;
	/* show control characters as '.', so a guest cannot drive the host terminal */
	vs->line[vs->len++] = (c >= 0x20 && c < 0x7f) || c == '\t' ? (char)c : '.';
	if (vs->len == sizeof(vs->line))
		vmm_vserial_flush(vs);
}
