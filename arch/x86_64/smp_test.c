/*
 * arch/x86_64/smp_test.c - testsignal= (test only): CPU1 sends physical
 * signals to CPU0 through the LAPIC ICR while CPU0 runs a guest VCPU, so
 * that the INIT, SIPI and NMI VM-exit handlers can be tested at all (a CPU
 * cannot send them usefully to itself).
 *
 * The list is checked whole before anything is sent. CPU1 waits until CPU0
 * has a guest VCPU loaded, 20 ms more, then sends the signals 10 ms apart
 * (an NMI again until one exits from the guest: send_guest_nmi);
 * "rootnmi" instead waits until CPU0 has no guest VCPU loaded (it is in VMX
 * root operation), for the host NMI handler proper.
 * A SIPI is announced to CPU0 first (vmx_sipi_expect, a cross-CPU call), so
 * that a VCPU waiting for one is entered in the wait-for-SIPI state, and is
 * repeated every millisecond until CPU0 took a SIPI exit: a SIPI that
 * reaches a CPU in VMX root operation is lost (see vmx_exit_initsipi.c).
 */
#include <string.h>
#include <stdlib.h>
#include "arch/x86_64/smp.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/vmx/vmx.h"
#include "kernel/arch_test.h"
#include "kernel/printk.h"
#include "kernel/threads.h"
#include "kernel/guest_config.h"
#include "kernel/error.h"

#define MAX_SIGNALS 8	/* list items */
#define SIGNAL_CPU 1
#define SIPI_TRIES 200
#define NMI_TRIES 20

enum signal_kind { SIG_NMI, SIG_INIT, SIG_SIPI, SIG_ROOT_NMI };

static struct {
	u32 n;
	struct { enum signal_kind kind; u8 vector; } sig[MAX_SIGNALS];
} plan;

/* One item of the list; false when it is not a known kind. */
static bool parse_one(const char *s, size_t len)
{
	char item[16], *end;
	unsigned long v;

	if (len == 0 || len >= sizeof(item) || plan.n >= MAX_SIGNALS)
		return false;
	memcpy(item, s, len);
	item[len] = 0;
	if (!strcmp(item, "nmi")) {
		plan.sig[plan.n++].kind = SIG_NMI;
	} else if (!strcmp(item, "rootnmi")) {
		plan.sig[plan.n++].kind = SIG_ROOT_NMI;
	} else if (!strcmp(item, "init")) {
		plan.sig[plan.n++].kind = SIG_INIT;
	} else if (!strncmp(item, "sipi:", 5)) {
		v = strtoul(item + 5, &end, 16);
		if (end == item + 5 || *end || v > 0xFF)
			return false;
		plan.sig[plan.n].kind = SIG_SIPI;
		plan.sig[plan.n++].vector = (u8)v;
	} else {
		return false;
	}
	return true;
}

static void announce_sipi(void *out)
{
	*(u32 *)out = vmx_sipi_expect();
}

static void send_sipi(u32 apic0, u8 vector)
{
	u64 before = vmx_sipi_exits;
	u32 waiting = 0;

	arch_smp_call(0, announce_sipi, &waiting, true);
	if (!waiting) {
		vmm_info("testsignal: CPU1: SIPI vector 0x%02x to CPU0 (no VCPU there waits for one)\n",
			 vector);
		lapic_send_ipi(apic0, ICR_STARTUP | vector);
		return;
	}
	vmm_info("testsignal: CPU1: SIPI vector 0x%02x to CPU0\n", vector);
	for (int i = 0; i < SIPI_TRIES && vmx_sipi_exits == before; i++) {
		lapic_send_ipi(apic0, ICR_STARTUP | vector);
		acpi_delay_us(1000);
	}
	if (vmx_sipi_exits == before)
		vmm_err("testsignal: CPU1: CPU0 took none of %d SIPIs\n", SIPI_TRIES);
}

/*
 * An NMI for the guest's time: CPU0 also spends time in root operation
 * handling the guest's exits, and an NMI that lands there is the root-mode
 * case (reported as such). So NMIs go 10 ms apart until one exits from the
 * guest (vmx_nmi_exits), at most NMI_TRIES. Said once: a line printed
 * before each try would hold the console while the guest on CPU0 wants to
 * print too, keeping CPU0 in root operation just when the NMI comes.
 */
static void send_guest_nmi(u32 apic0)
{
	u64 before = vmx_nmi_exits;

	vmm_info("testsignal: CPU1: NMI to CPU0\n");
	for (int i = 0; i < NMI_TRIES && vmx_nmi_exits == before; i++) {
		if (i)
			acpi_delay_us(10000);
		lapic_send_ipi(apic0, ICR_NMI);
		acpi_delay_us(1000);
	}
	if (vmx_nmi_exits == before)
		vmm_err("testsignal: CPU1: none of %d NMIs reached CPU0 while a guest ran\n", NMI_TRIES);
}

/* Wait until CPU0 has (or has not) a guest VCPU loaded. */
static void wait_cpu0_guest(bool in_guest)
{
	while (!__atomic_load_n(&arch_percpu[0]->guest_vcpu, __ATOMIC_ACQUIRE) == in_guest)
		acpi_delay_us(1000);
}

/* On CPU1, in a thread of its own pinned there (interrupts on). */
static int testsignal_run(void *unused)
{
	u32 apic0 = smp_apic_id(0);
	bool waited = false;

	(void)unused;
	for (u32 i = 0; i < plan.n; i++) {
		if (plan.sig[i].kind == SIG_ROOT_NMI) {
			wait_cpu0_guest(false);
			vmm_info("testsignal: CPU1: NMI to CPU0 in root operation\n");
			lapic_send_ipi(apic0, ICR_NMI);
			continue;
		}
		if (!waited) {
			wait_cpu0_guest(true);
			acpi_delay_us(20000);
			waited = true;
		} else {
			acpi_delay_us(10000);
		}
		switch (plan.sig[i].kind) {
		case SIG_NMI:
			send_guest_nmi(apic0);
			break;
		case SIG_INIT:
			vmm_info("testsignal: CPU1: INIT to CPU0\n");
			__atomic_fetch_add(&arch_percpu[0]->init_sent, 1, __ATOMIC_ACQ_REL);
			lapic_send_ipi(apic0, ICR_INIT | ICR_ASSERT);
			break;
		case SIG_SIPI:
			send_sipi(apic0, plan.sig[i].vector);
			break;
		case SIG_ROOT_NMI:
			break;
		}
	}
	vmm_info("testsignal: CPU1: done\n");
	return 0;
}

int arch_test_signal(const char *list)
{
	const char *p = list;

	plan.n = 0;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (!parse_one(p, len)) {
			vmm_err("testsignal: '%.*s' in testsignal=%s is not nmi, init, sipi:<hex vector> or rootnmi (at most %d): nothing sent\n",
				(int)len, p, list, MAX_SIGNALS);
			plan.n = 0;
			return -VMM_EINVALID;
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	if (!arch_smp_cpu_online(SIGNAL_CPU)) {
		vmm_err("testsignal: needs 2 CPUs (CPU1 sends the signals to CPU0); nothing sent\n");
		return -VMM_ENOTAVAIL;
	}
	vmm_info("testsignal: CPU1 will send %s to CPU0\n", list);
	{
		/* highest priority: it must not wait behind guests on CPU1 */
		struct vmm_thread *t = vmm_thread_create("testsignal", testsignal_run, NULL,
							 VMM_MAX_PRIORITY, 0, 1ULL << SIGNAL_CPU);

		return t ? vmm_thread_start(t) : -VMM_ENOMEM;
	}
}
