/*
 * kernel/vcpu_state.c - the VCPU state transition table (figure 3 of the
 * Xvisor design document). Every state change in the hypervisor is checked
 * against this table and refused with -VMM_EILLEGAL otherwise.
 */
#include "kernel/vcpu_state.h"

#define S(x) (1u << VMM_VCPU_STATE_##x)

/* allowed[from] = set of states reachable in one step */
static const u32 allowed[VMM_VCPU_STATE_COUNT] = {
	[VMM_VCPU_STATE_UNKNOWN] = S(RESET),				/* create */
	[VMM_VCPU_STATE_RESET] = S(UNKNOWN) | S(READY),			/* destroy, kick */
	[VMM_VCPU_STATE_READY] = S(RUNNING) | S(PAUSED) | S(HALTED) | S(RESET),
	[VMM_VCPU_STATE_RUNNING] = S(READY) | S(PAUSED) | S(HALTED) | S(RESET),
	[VMM_VCPU_STATE_PAUSED] = S(READY) | S(RESET),			/* resume, reset */
	[VMM_VCPU_STATE_HALTED] = S(RESET),				/* reset */
};

bool vmm_vcpu_state_transition_ok(enum vmm_vcpu_state from, enum vmm_vcpu_state to)
{
	if ((unsigned int)from >= VMM_VCPU_STATE_COUNT || (unsigned int)to >= VMM_VCPU_STATE_COUNT)
		return false;
	return allowed[from] & (1u << to);
}

const char *vmm_vcpu_state_name(enum vmm_vcpu_state s)
{
	static const char *const names[] = { "UNKNOWN", "RESET", "READY", "RUNNING", "PAUSED", "HALTED" };

	return (unsigned int)s < VMM_VCPU_STATE_COUNT ? names[s] : "?";
}
