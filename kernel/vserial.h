/*
 * kernel/vserial.h - virtual serial endpoints: the other end of an emulated
 * UART or of the hypercall console, named "<guest>/<node>".
 *
 * Output (the guest side's bytes) always goes into the endpoint's ring of
 * the most recent VMM_VSERIAL_RING bytes ('vserial dump'), and then to one
 * sink: by default the host console, line by line as "<guest>: <text>"
 * through the console writer (kernel/console.h: whole lines, never through
 * printk or its log level; '\r' dropped, other control bytes shown as '.',
 * lines longer than VMM_VSERIAL_LINE_MAX cut into several), or byte by byte
 * the one sink bound to the endpoint (the management terminal).
 *
 * Lifetime: the device model creates its endpoint at probe and unregisters
 * it at remove (guest destroy). The list of endpoints, the sink binding
 * and the host-to-device path (vmm_vserial_send_name) are under one lock,
 * so a command naming an endpoint never reaches one being unregistered.
 * Lock order: the vserial lock, then the device model's own lock (the
 * device's input function runs under the vserial lock). The output side
 * (putc, flush, the ring, the sink pointer) is under the endpoint's own
 * output lock, taken inside the vserial lock and the device's lock and
 * before the console lock; a sink's putc runs under it. The endpoint lives
 * as long as its device. A pointer from vmm_vserial_find() is valid only
 * until the endpoint's guest is destroyed.
 */
#ifndef KERNEL_VSERIAL_H
#define KERNEL_VSERIAL_H

#include "kernel/types.h"
#include "kernel/spinlock.h"

#define VMM_VSERIAL_NAME_MAX 96
#define VMM_VSERIAL_LINE_MAX 160
#define VMM_VSERIAL_RING 4096	/* recent output kept per endpoint */

struct vmm_vserial;

/* Something that takes an endpoint's output instead of the console. */
struct vmm_vserial_sink {
	/* a byte from the guest side (any CPU, device lock and the endpoint's
	 * output lock held: be short, call no vserial function) */
	void (*putc)(struct vmm_vserial_sink *sink, u8 c);
	/* the endpoint goes away (unregistered): no putc after this call */
	void (*detached)(struct vmm_vserial_sink *sink, struct vmm_vserial *vs);
	void *priv;
};

struct vmm_vserial {
	char name[VMM_VSERIAL_NAME_MAX];
	char prefix[VMM_VSERIAL_NAME_MAX];
	vmm_spinlock_t out_lock;	/* line, len, ring, bytes_out, sink */
	char line[VMM_VSERIAL_LINE_MAX];	/* the console line so far */
	u32 len;
	u8 ring[VMM_VSERIAL_RING];	/* output byte i at ring[i % VMM_VSERIAL_RING] */
	u64 bytes_out, bytes_in;
	/* the device side's receiver: bytes from the host go there */
	void (*input)(void *priv, u8 c);
	void *input_priv;
	struct vmm_vserial_sink *sink;	/* bound output, or NULL: the console */
	struct vmm_vserial *next;	/* all endpoints */
};

struct vmm_vserial *vmm_vserial_create(const char *guest, const char *node);
/*
 * Take the endpoint out of the list, detach its sink (sink->detached is
 * called), write out a partial line and free it. NULL is ignored.
 */
void vmm_vserial_unregister(struct vmm_vserial *vs);
/* The same (the device models' name for it). */
void vmm_vserial_destroy(struct vmm_vserial *vs);
/* Bind 'sink' to the endpoint's output; -VMM_EBUSY if one is bound. */
int vmm_vserial_attach(struct vmm_vserial *vs, struct vmm_vserial_sink *sink);
/* Unbind it (its detached function is not called); output to the console again. */
void vmm_vserial_detach(struct vmm_vserial *vs, struct vmm_vserial_sink *sink);
/* A byte from the guest side. */
void vmm_vserial_putc(struct vmm_vserial *vs, u8 c);
/* Write out a partial line (e.g. when the guest halts). */
void vmm_vserial_flush(struct vmm_vserial *vs);
/* The device model registers where host bytes go (its receiver). */
void vmm_vserial_set_input(struct vmm_vserial *vs, void (*input)(void *priv, u8 c), void *priv);
/* Bytes from the host side to the device; returns how many were taken. */
size_t vmm_vserial_send(struct vmm_vserial *vs, const u8 *buf, size_t len);
/*
 * The same to the endpoint called 'name', looked up and fed under the
 * vserial lock: the bytes taken, -VMM_ENOENT when there is no such
 * endpoint, -VMM_ENOSYS when it takes no input.
 */
int vmm_vserial_send_name(const char *name, const u8 *buf, size_t len);
/* Endpoint by name ("guest0/uart0"), or NULL; and iteration over all. */
struct vmm_vserial *vmm_vserial_find(const char *name);
struct vmm_vserial *vmm_vserial_first(void);
/* fn(vs, arg) for every endpoint, under the vserial lock (fn must not
 * create or unregister endpoints); returns how many. */
u32 vmm_vserial_for_each(void (*fn)(struct vmm_vserial *vs, void *arg), void *arg);
/*
 * Copy the endpoint 'name''s most recent output, oldest byte first, at most
 * 'max' bytes (and at most VMM_VSERIAL_RING) into buf, under the vserial
 * lock: the number of bytes copied, or -VMM_ENOENT. *total (if not NULL)
 * gets how many bytes the endpoint has sent in all.
 */
int vmm_vserial_recent(const char *name, u8 *buf, size_t max, u64 *total);
/*
 * Split output bytes into console lines as the console shows them ('\r'
 * dropped, control bytes as '.', cut at VMM_VSERIAL_LINE_MAX) and call
 * fn(text, len, arg) for each, without its '\n'; a last line without '\n'
 * is passed too. skip_first drops the bytes up to the first '\n' (the tail
 * of a line whose start left the ring). Returns the number of lines.
 */
u32 vmm_vserial_lines(const u8 *buf, size_t n, bool skip_first,
		      void (*fn)(const char *text, size_t len, void *arg), void *arg);
/* Number of endpoints (leak checks: guest destroy frees its endpoints). */
u32 vmm_vserial_count(void);

#endif
