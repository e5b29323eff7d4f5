/*
 * kernel/vcpu_sipi.c - INIT and SIPI of one VCPU (kernel/vcpu_irq.h): a
 * guest's local APIC stops a VCPU with INIT and starts it with a SIPI.
 *
 * INIT pauses the VCPU wherever it runs and marks it waiting for a SIPI
 * (its HLT wait, posted vectors and NMI dropped). The SIPI waits, a
 * bounded time, until the VCPU's CPU has switched it out, has the arch
 * record the start (arch_vcpu_sipi: INIT state and CS:IP at the next
 * switch-in) under the scheduler lock, and resumes it. Only a SIPI that
 * finds its VCPU waiting starts it; the second SIPI of INIT-SIPI-SIPI
 * finds it started and does nothing, as on hardware.
 */
#include <string.h>
#include "kernel/vcpu_irq.h"
#include "kernel/manager.h"
#include "kernel/scheduler.h"
#include "kernel/timer.h"
#include "kernel/printk.h"
#include "kernel/arch_cpu.h"
#include "kernel/arch_vcpu.h"
#include "kernel/error.h"

/* How long a SIPI waits for its VCPU to leave the CPU its INIT stopped it
 * on (that CPU switches it out at its next trap: normally microseconds). */
#define SIPI_OFF_CPU_WAIT_NS 50000000ULL

void vmm_vcpu_irq_init_signal(struct vmm_vcpu *v)
{
	struct vmm_vcpu_irq *irq = &v->irq;
	unsigned long f = vmm_spin_lock_irqsave(&irq->lock);
	enum vmm_vcpu_state st = __atomic_load_n(&v->state, __ATOMIC_SEQ_CST);

	if (!irq->wait_sipi && (st == VMM_VCPU_STATE_RUNNING || st == VMM_VCPU_STATE_READY ||
				st == VMM_VCPU_STATE_PAUSED)) {
		irq->wait_sipi = true;
		irq->waiting = false;
		irq->inits++;
		memset(irq->posted, 0, sizeof(irq->posted));
		__atomic_and_fetch(&irq->pending, ~(VMM_VCPU_IRQ_REQ_VECTOR | VMM_VCPU_IRQ_REQ_NMI),
				   __ATOMIC_SEQ_CST);
		/* stopped wherever it runs (the manager kicks its CPU) */
		if (st != VMM_VCPU_STATE_PAUSED)
			vmm_manager_vcpu_pause(v);
	}
	vmm_spin_unlock_irqrestore(&irq->lock, f);
}

struct sipi_arg {
	u8 vector;
};

static void sipi_off_cpu(struct vmm_vcpu *v, void *arg)
{
	arch_vcpu_sipi(v, ((struct sipi_arg *)arg)->vector);
}

bool vmm_vcpu_irq_startup(struct vmm_vcpu *v, u8 vector)
{
	struct vmm_vcpu_irq *irq = &v->irq;
	struct sipi_arg arg = { .vector = vector };
	unsigned long f = vmm_spin_lock_irqsave(&irq->lock);
	u64 until;
	u32 cpu = 0;
	int rc;

	if (!irq->wait_sipi || __atomic_load_n(&v->state, __ATOMIC_SEQ_CST) != VMM_VCPU_STATE_PAUSED) {
		vmm_spin_unlock_irqrestore(&irq->lock, f);
		return false;
	}
	irq->wait_sipi = false;
	irq->sipis++;
	vmm_spin_unlock_irqrestore(&irq->lock, f);
	/* the INIT paused it; its CPU switches it out at its next trap */
	until = vmm_timer_now_ns() + SIPI_OFF_CPU_WAIT_NS;
	while ((rc = vmm_scheduler_with_vcpu_off_cpu(v, sipi_off_cpu, &arg, &cpu)) == -VMM_EBUSY &&
	       vmm_timer_now_ns() < until)
		arch_cpu_relax();
	if (rc) {
		f = vmm_spin_lock_irqsave(&irq->lock);
		irq->wait_sipi = true;
		irq->sipis--;
		irq->sipis_lost++;
		vmm_spin_unlock_irqrestore(&irq->lock, f);
		vmm_warn("vcpu %s: SIPI vector 0x%02x lost: the VCPU was still on CPU%u %llu ms after its INIT stopped it\n",
			 v->name, vector, cpu, SIPI_OFF_CPU_WAIT_NS / 1000000ULL);
		return false;
	}
	return vmm_manager_vcpu_resume(v) == VMM_OK;
}

void vmm_vcpu_irq_await_sipi(struct vmm_vcpu *v)
{
	struct vmm_vcpu_irq *irq = &v->irq;
	unsigned long f = vmm_spin_lock_irqsave(&irq->lock);

	irq->wait_sipi = true;
	irq->waiting = false;
	vmm_spin_unlock_irqrestore(&irq->lock, f);
}

bool vmm_vcpu_irq_awaits_sipi(struct vmm_vcpu *v)
{
	return __atomic_load_n(&v->irq.wait_sipi, __ATOMIC_RELAXED);
}
