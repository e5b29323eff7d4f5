/* TEMPORARY: not committed */
#include "kernel/aspace.h"
#include "kernel/manager.h"
#include "kernel/timer.h"
#include "devemu/devemu.h"
int vmm_aspace_deinit(struct vmm_guest *g) { (void)g; return 0; }
int vmm_aspace_reload(struct vmm_guest *g) { (void)g; return 0; }
void vmm_devemu_guest_deinit(struct vmm_guest *g) { (void)g; }
