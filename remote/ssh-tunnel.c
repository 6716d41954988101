/*
 * ssh-tunnel.c: placeholder while tunnels are written.
 */
#include "ssh-int.h"

int
ssh_tunnel(struct transport *t, const char *host, int port, char lh[64],
    int *lp, int64_t deadline, struct err *e)
{
	return err_set(e, "tunnel: not built yet");
}

void
ssh_tunnels_stop(struct ssh_tunnels *list)
{
}
