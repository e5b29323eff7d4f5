/*
 * kernel/vcpu_irq.c - virtual interrupts of one VCPU: lines, posted
 * vectors, the pending-request word, the HLT wait and the kick of the host
 * CPU the VCPU runs on (kernel/vcpu_irq.h).
 *
 * A request is made in this order: the pending bit is set (a locked
 * read-modify-write, a full barrier on the SMP host), then the VCPU is
 * resumed when it waits in HLT, else its host CPU is kicked when that is
 * another CPU and the VCPU is READY or RUNNING there. The arch reads the
 * pending word with interrupts off right before VM entry, so a request
 * made after that load finds the VCPU running and its kick makes the
 * CPU leave the guest again at once.
 */
#include <string.h>
#include "kernel/vcpu_irq.h"
#include "kernel/manager.h"
#include "kernel/arch_cpu.h"
#include "kernel/error.h"

void vmm_vcpu_irq_init(struct vmm_vcpu *v)
{
	memset(&v->irq, 0, sizeof(v->irq));
}

void vmm_vcpu_irq_reset(struct vmm_vcpu *v)
{
	struct vmm_vcpu_irq *irq = &v->irq;
	unsigned long f = vmm_spin_lock_irqsave(&irq->lock);

	memset(irq->posted, 0, sizeof(irq->posted));
	__atomic_and_fetch(&irq->pending, ~(VMM_VCPU_IRQ_REQ_VECTOR | VMM_VCPU_IRQ_REQ_NMI),
			   __ATOMIC_SEQ_CST);
	irq->waiting = false;
	irq->wait_sipi = false;
	vmm_spin_unlock_irqrestore(&irq->lock, f);
}

int vmm_vcpu_irq_line_connect(struct vmm_vcpu *v, u32 line, vmm_vcpu_irq_ack_fn ack, void *priv)
{
	struct vmm_vcpu_irq *irq = &v->irq;
	unsigned long f;
	int rc = VMM_OK;

	if (line >= VMM_VCPU_IRQ_NR_LINES || !ack)
		return -VMM_EINVALID;
	f = vmm_spin_lock_irqsave(&irq->lock);
	if (irq->line[line].ack && (irq->line[line].ack != ack || irq->line[line].priv != priv))
		rc = -VMM_EEXIST;
	else {
		irq->line[line].ack = ack;
		irq->line[line].priv = priv;
	}
	vmm_spin_unlock_irqrestore(&irq->lock, f);
	return rc;
}

/*
 * With the irq lock held, after setting a request bit: end the HLT wait, or
 * kick the CPU the VCPU runs on (or is about to enter the guest on).
 */
static void request_made_locked(struct vmm_vcpu *v)
{
	struct vmm_vcpu_irq *irq = &v->irq;
	enum vmm_vcpu_state st = __atomic_load_n(&v->state, __ATOMIC_SEQ_CST);
	u32 cpu;

	irq->asserts++;
	if (irq->waiting && st == VMM_VCPU_STATE_PAUSED) {
		irq->waiting = false;
		irq->wakeups++;
		/* the manager kicks the VCPU's CPU when it idles elsewhere */
		vmm_manager_vcpu_resume(v);
		return;
	}
	cpu = __atomic_load_n(&v->host_cpu, __ATOMIC_RELAXED);
	if ((st == VMM_VCPU_STATE_RUNNING || st == VMM_VCPU_STATE_READY) && cpu != arch_cpu_id()) {
		irq->kicks++;
		arch_cpu_kick(cpu);
	}
}

void vmm_vcpu_irq_assert(struct vmm_vcpu *v, u32 line)
{
	struct vmm_vcpu_irq *irq = &v->irq;
	unsigned long f;
	u32 bit, old;

	if (line >= VMM_VCPU_IRQ_NR_LINES)
		return;
	bit = 1u << line;	/* VMM_VCPU_IRQ_REQ_EXTINT, _LOCAL: the line's bit */
	f = vmm_spin_lock_irqsave(&irq->lock);
	irq->levels |= bit;
	if (!(irq->gated & bit)) {
		old = __atomic_fetch_or(&irq->pending, bit, __ATOMIC_SEQ_CST);
		if (!(old & bit))
			request_made_locked(v);
	}
	vmm_spin_unlock_irqrestore(&irq->lock, f);
}

void vmm_vcpu_irq_deassert(struct vmm_vcpu *v, u32 line)
{
	struct vmm_vcpu_irq *irq = &v->irq;
	unsigned long f;

	if (line >= VMM_VCPU_IRQ_NR_LINES)
		return;
	f = vmm_spin_lock_irqsave(&irq->lock);
	irq->levels &= ~(1u << line);
	__atomic_and_fetch(&irq->pending, ~(1u << line), __ATOMIC_SEQ_CST);
	vmm_spin_unlock_irqrestore(&irq->lock, f);
}

void vmm_vcpu_irq_line_gate(struct vmm_vcpu *v, u32 line, bool open)
{
	struct vmm_vcpu_irq *irq = &v->irq;
	unsigned long f;
	u32 bit;

	if (line >= VMM_VCPU_IRQ_NR_LINES)
		return;
	bit = 1u << line;
	f = vmm_spin_lock_irqsave(&irq->lock);
	if (open && (irq->gated & bit)) {
		irq->gated &= ~bit;
		if ((irq->levels & bit) &&
		    !(__atomic_fetch_or(&irq->pending, bit, __ATOMIC_SEQ_CST) & bit))
			request_made_locked(v);
	} else if (!open && !(irq->gated & bit)) {
		irq->gated |= bit;
		__atomic_and_fetch(&irq->pending, ~bit, __ATOMIC_SEQ_CST);
	}
	vmm_spin_unlock_irqrestore(&irq->lock, f);
}

void vmm_vcpu_irq_nmi(struct vmm_vcpu *v)
{
	struct vmm_vcpu_irq *irq = &v->irq;
	unsigned long f = vmm_spin_lock_irqsave(&irq->lock);

	irq->nmis++;
	if (!(__atomic_fetch_or(&irq->pending, VMM_VCPU_IRQ_REQ_NMI, __ATOMIC_SEQ_CST) &
	      VMM_VCPU_IRQ_REQ_NMI))
		request_made_locked(v);
	vmm_spin_unlock_irqrestore(&irq->lock, f);
}

void vmm_vcpu_irq_nmi_taken(struct vmm_vcpu *v)
{
	__atomic_and_fetch(&v->irq.pending, ~VMM_VCPU_IRQ_REQ_NMI, __ATOMIC_SEQ_CST);
}

void vmm_vcpu_irq_post(struct vmm_vcpu *v, u8 vector)
{
	struct vmm_vcpu_irq *irq = &v->irq;
	unsigned long f = vmm_spin_lock_irqsave(&irq->lock);
	u64 bit = 1ULL << (vector & 63);

	/* a vector already pending is one request (as in a local APIC's IRR) */
	if (!(irq->posted[vector >> 6] & bit)) {
		irq->posted[vector >> 6] |= bit;
		__atomic_fetch_or(&irq->pending, VMM_VCPU_IRQ_REQ_VECTOR, __ATOMIC_SEQ_CST);
		request_made_locked(v);
	}
	vmm_spin_unlock_irqrestore(&irq->lock, f);
}

/* Take the highest posted vector, or -VMM_ENOENT. */
static int take_posted(struct vmm_vcpu_irq *irq)
{
	unsigned long f = vmm_spin_lock_irqsave(&irq->lock);
	int vector = -VMM_ENOENT;

	for (int w = 3; w >= 0; w--) {
		if (irq->posted[w]) {
			int b = 63 - __builtin_clzll(irq->posted[w]);

			irq->posted[w] &= ~(1ULL << b);
			vector = w * 64 + b;
			break;
		}
	}
	if (!(irq->posted[0] | irq->posted[1] | irq->posted[2] | irq->posted[3]))
		__atomic_and_fetch(&irq->pending, ~VMM_VCPU_IRQ_REQ_VECTOR, __ATOMIC_SEQ_CST);
	vmm_spin_unlock_irqrestore(&irq->lock, f);
	return vector;
}

int vmm_vcpu_irq_acknowledge(struct vmm_vcpu *v)
{
	struct vmm_vcpu_irq *irq = &v->irq;
	u32 pending = vmm_vcpu_irq_pending(irq);
	int vector = -VMM_ENOENT;

	/* ExtINT first, then the local APIC; no lock held: the controller's
	 * INTA lowers or keeps its line */
	if (pending & VMM_VCPU_IRQ_REQ_EXTINT) {
		vmm_vcpu_irq_ack_fn ack = irq->line[VMM_VCPU_IRQ_EXTINT].ack;

		if (ack)
			vector = ack(irq->line[VMM_VCPU_IRQ_EXTINT].priv);
	}
	if (vector < 0 && (pending & VMM_VCPU_IRQ_REQ_LOCAL)) {
		vmm_vcpu_irq_ack_fn ack = irq->line[VMM_VCPU_IRQ_LOCAL].ack;

		if (ack)
			vector = ack(irq->line[VMM_VCPU_IRQ_LOCAL].priv);
	}
	if (vector < 0 && (pending & VMM_VCPU_IRQ_REQ_VECTOR))
		vector = take_posted(irq);
	if (vector >= 0)
		__atomic_fetch_add(&irq->injected, 1, __ATOMIC_RELAXED);
	return vector;
}

int vmm_vcpu_irq_wait(struct vmm_vcpu *v)
{
	struct vmm_vcpu_irq *irq = &v->irq;
	unsigned long f = vmm_spin_lock_irqsave(&irq->lock);
	int rc = 0;

	if (__atomic_load_n(&v->state, __ATOMIC_ACQUIRE) != VMM_VCPU_STATE_RUNNING) {
		/* stopped meanwhile (paused, halted, reset from elsewhere): it
		 * does not run on, and that stop is not an HLT wait */
		rc = 1;
	} else if (!vmm_vcpu_irq_pending(irq)) {
		rc = vmm_manager_vcpu_pause(v);
		if (rc == VMM_OK) {
			irq->waiting = true;
			rc = 1;
		}
	}
	vmm_spin_unlock_irqrestore(&irq->lock, f);
	return rc;
}

void vmm_vcpu_irq_wait_cancel(struct vmm_vcpu *v)
{
	struct vmm_vcpu_irq *irq = &v->irq;
	unsigned long f = vmm_spin_lock_irqsave(&irq->lock);

	irq->waiting = false;
	vmm_spin_unlock_irqrestore(&irq->lock, f);
}

bool vmm_vcpu_irq_waiting(struct vmm_vcpu *v)
{
	return __atomic_load_n(&v->irq.waiting, __ATOMIC_RELAXED) &&
	       __atomic_load_n(&v->state, __ATOMIC_RELAXED) == VMM_VCPU_STATE_PAUSED;
}
