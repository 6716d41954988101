/*
 * tr-ssh.c: placeholder while the ssh transport is written.
 */
#include "tr-int.h"

int
tr_ssh_open(struct transport *t, int64_t deadline, struct err *e)
{
	return err_set(e, "ssh transport not built yet");
}

const struct transport_ops tr_ssh_ops = { .kind = "ssh" };
