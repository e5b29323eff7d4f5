/*
 * devemu/apic_bus_none.c - the APIC bus of devemu/apic_bus.h for a build
 * without local APICs: every guest is "a guest without a local APIC"
 * (messages reach nothing, EOI listeners are accepted and never called).
 *
 * Weak definitions, so that the IO-APIC (devemu/ioapic.c) links into the
 * kernel and the fuzzers before devemu/lapic.c exists; lapic.c's strong
 * definitions replace them. Delete this file when lapic.c is merged (in a
 * static archive, as the unit tests use, a weak member could otherwise be
 * picked instead of lapic.o).
 */
#include "devemu/apic_bus.h"
#include "kernel/error.h"

/* No LAPIC takes anything. */
__attribute__((weak)) u32 vmm_apic_bus_deliver(struct vmm_guest *guest,
						const struct vmm_apic_msg *msg)
{
	(void)guest;
	(void)msg;
	return 0;
}

/* Accepted: no LAPIC will ever EOI a level vector. */
__attribute__((weak)) int vmm_apic_bus_eoi_listen(struct vmm_guest *guest, vmm_apic_eoi_fn fn,
						  void *priv)
{
	(void)guest;
	(void)fn;
	(void)priv;
	return VMM_OK;
}

/* Nothing was kept. */
__attribute__((weak)) void vmm_apic_bus_eoi_unlisten(struct vmm_guest *guest, void *priv)
{
	(void)guest;
	(void)priv;
}

/* No guest has local APICs. */
__attribute__((weak)) bool vmm_apic_bus_present(struct vmm_guest *guest)
{
	(void)guest;
	return false;
}
