/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * collect-vici.c: the IKE daemon's own view over strongSwan's VICI control socket, as raw
 * VICI packets in the ike.vici_conns and ike.vici_sas dumps (ike.h).
 *
 * The socket is found from the running daemon itself, as deployments set it: for each
 * charon/charon-systemd in the diagnosed network namespace, the strongswan.conf it reads
 * (STRONGSWAN_CONF in its environment, else /etc/strongswan.conf, with the files its include
 * statements name), its
 * <daemon>.plugins.vici.socket (else the compiled-in default), all resolved through
 * /proc/PID/root so a daemon in a container or a private mount namespace is reached.
 * XFRMD_VICI_SOCKET names the socket explicitly (tests, unusual setups).
 *
 * Only read-only listing commands are sent (list-conns, list-sas). The whole exchange is
 * bounded in time and size: a daemon that does not answer becomes a dump status, never a
 * hang. Values named like keys or secrets are zeroed before a packet becomes a record.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "collect-internal.h"
#include "xfrmd/collect.h"
#include "xfrmd/file.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"
#include "xfrmd/stack.h"

#define VICI_DEFAULT_SOCKET "/var/run/charon.vici"
#define VICI_TIMEOUT_MS 2000          /* the whole exchange with one daemon */
#define VICI_PACKET_MAX (512u << 10)  /* strongSwan's own limit for one message */
#define VICI_TOTAL_MAX (32u << 20)    /* all packets of one exchange */

/* ---- finding the socket ---- */

/* "unix:///run/x.vici" or "/run/x.vici" -> the path; NULL for other URIs (tcp://). */
static const char *unix_path(const char *uri)
{
	if (strncmp(uri, "unix://", 7) == 0)
		return uri + 7;
	return uri[0] == '/' ? uri : NULL;
}

/* The last <daemon>.plugins.vici.socket setting, as strongSwan reads it. */
struct vici_setting {
	char want[128];
	char val[512];
	bool found;
};

static void on_vici_setting(void *ud, const char *section, const char *name, const char *value)
{
	struct vici_setting *v = ud;
	char full[640];

	if (!value)
		return;
	snprintf(full, sizeof(full), "%s%s%s", section, section[0] ? "." : "", name);
	if (xd_streq(full, v->want)) {
		snprintf(v->val, sizeof(v->val), "%s", value);
		v->found = true;
	}
}

static bool conf_vici_socket(const char *text, const char *daemon, char *ret, size_t rlen)
{
	struct vici_setting v = { .found = false };
	char *copy = strdup(text);

	if (!copy)
		return false;
	snprintf(v.want, sizeof(v.want), "%s.plugins.vici.socket", daemon);
	xd_swanconf_walk(copy, on_vici_setting, &v);
	free(copy);
	if (v.found && unix_path(v.val))
		snprintf(ret, rlen, "%s", unix_path(v.val));
	return v.found && unix_path(v.val);
}

int xd_vici_conf_socket(const char *root, const char *conf, const char *daemon, char *ret,
			size_t rlen)
{
	char *text = NULL;
	bool found;
	int r = xd_swanconf_load(root, conf, &text);

	if (r == -ENODATA)
		return 0;
	if (r < 0)
		return r;
	/* charon-systemd reads its own section and falls back to charon's */
	found = conf_vici_socket(text, "charon", ret, rlen);
	if (!xd_streq(daemon, "charon"))
		found |= conf_vici_socket(text, daemon, ret, rlen);
	free(text);
	return found;
}

/* The VICI socket of a strongSwan daemon, as a path seen from here (through its root). */
static void daemon_socket(uint32_t pid, const char *comm, char *ret, size_t rlen)
{
	char conf[512] = "/etc/strongswan.conf", root[64], sock[512] = VICI_DEFAULT_SOCKET;

	(void)xd_proc_env(pid, "STRONGSWAN_CONF", conf, sizeof(conf));
	snprintf(root, sizeof(root), "/proc/%u/root", pid);
	(void)xd_vici_conf_socket(root, conf, comm, sock, sizeof(sock));
	snprintf(ret, rlen, "%s%s", root, sock);
}

/* The first charon or charon-systemd in our network namespace; 0 if none. */
static uint32_t find_daemon(struct xd_ike_procs *procs, char *comm, size_t clen)
{
	size_t n = xd_ike_procs_get(procs);

	for (size_t i = 0; i < n; i++)
		if (procs->d[i].stack == XD_IKE_PROC_STRONGSWAN) {
			snprintf(comm, clen, "%s", procs->d[i].comm);
			return procs->d[i].pid;
		}
	return 0;
}

/* ---- the exchange ---- */

struct vici_conn {
	int fd;
	struct timespec deadline;
	size_t total;
};

static int remaining_ms(const struct vici_conn *c)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (c->deadline.tv_sec - now.tv_sec) * 1000 + (c->deadline.tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

static int wait_fd(struct vici_conn *c, short events)
{
	struct pollfd pfd = { .fd = c->fd, .events = events };
	int r;

	for (;;) {
		int ms = remaining_ms(c);
		if (ms <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, ms);
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int io_all(struct vici_conn *c, void *buf, size_t len, bool sending)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n;
		int r = wait_fd(c, sending ? POLLOUT : POLLIN);
		if (r < 0)
			return r;
		n = sending ? send(c->fd, (char *)buf + done, len - done, MSG_NOSIGNAL)
			    : recv(c->fd, (char *)buf + done, len - done, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET; /* the daemon closed the connection */
		done += (size_t)n;
	}
	return 0;
}

/* A packet with a name and an empty body. */
static int send_named(struct vici_conn *c, uint8_t type, const char *name)
{
	uint8_t buf[4 + 2 + 255];
	size_t nl = strlen(name), plen = 2 + nl;

	buf[0] = buf[1] = 0;
	buf[2] = (uint8_t)(plen >> 8);
	buf[3] = (uint8_t)plen;
	buf[4] = type;
	buf[5] = (uint8_t)nl;
	memcpy(buf + 6, name, nl);
	return io_all(c, buf, 4 + plen, true);
}

/* One whole packet (with its length prefix) into *ret (malloc'ed). */
static int recv_packet(struct vici_conn *c, uint8_t **ret, size_t *ret_len)
{
	uint8_t hdr[4], *buf;
	uint32_t plen;
	int r = io_all(c, hdr, sizeof(hdr), false);

	if (r < 0)
		return r;
	plen = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
	if (plen == 0 || plen > VICI_PACKET_MAX)
		return -EBADMSG;
	if (c->total + plen > VICI_TOTAL_MAX)
		return -EFBIG;
	c->total += plen + 4;
	buf = malloc(plen + 4);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, hdr, 4);
	r = io_all(c, buf + 4, plen, false);
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	*ret_len = plen + 4;
	return 0;
}

static bool event_named(const uint8_t *p, size_t len, const char *name)
{
	size_t nl = strlen(name);

	return len >= 6 + nl && p[4] == VICI_EVENT && p[5] == nl && memcmp(p + 6, name, nl) == 0;
}

/* Register for `event`, send `cmd`, record each event and the response into dump d. */
static int list(struct vici_conn *c, struct xd_recbuf *out, enum xd_dump d, const char *event,
		const char *cmd)
{
	uint8_t *p = NULL;
	size_t len = 0;
	int r = send_named(c, VICI_EVENT_REGISTER, event);

	if (r < 0)
		return r;
	for (;;) {
		r = recv_packet(c, &p, &len);
		if (r < 0)
			return r;
		uint8_t type = p[4];
		free(p);
		if (type == VICI_EVENT_CONFIRM)
			break;
		if (type == VICI_EVENT_UNKNOWN)
			return -EOPNOTSUPP;
		if (type != VICI_EVENT) /* events of an earlier registration may still come */
			return -EBADMSG;
	}
	r = send_named(c, VICI_CMD_REQUEST, cmd);
	if (r < 0)
		return r;
	for (;;) {
		r = recv_packet(c, &p, &len);
		if (r < 0)
			return r;
		uint8_t type = p[4];
		if (type == VICI_CMD_UNKNOWN) {
			free(p);
			return -EOPNOTSUPP;
		}
		if (type == VICI_CMD_RESPONSE || event_named(p, len, event)) {
			struct xd_record rec = { .kind = XD_RECORD_FILE, .dump = d };
			(void)xd_vici_scrub(p, len);
			rec.data = p;
			rec.len = len;
			r = xd_recbuf_add(out, &rec);
		} else if (type != VICI_EVENT) {
			r = -EBADMSG;
		}
		free(p);
		if (r < 0 || type == VICI_CMD_RESPONSE)
			return r;
	}
}

static int vici_connect(const char *path, struct vici_conn *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path));
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return -errno;
	clock_gettime(CLOCK_MONOTONIC, &c->deadline);
	c->deadline.tv_sec += VICI_TIMEOUT_MS / 1000;
	c->deadline.tv_nsec += (VICI_TIMEOUT_MS % 1000) * 1000000L;
	if (c->deadline.tv_nsec >= 1000000000L) {
		c->deadline.tv_sec++;
		c->deadline.tv_nsec -= 1000000000L;
	}
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return 0;
	r = -errno;
	if (r == -EINPROGRESS || r == -EAGAIN) {
		int err = 0;
		socklen_t el = sizeof(err);
		r = wait_fd(c, POLLOUT);
		if (r == 0 && getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err)
			r = -err;
		if (r == 0)
			return 0;
	}
	close(c->fd);
	c->fd = -1;
	return r;
}

void xd_collect_vici(struct xd_recbuf *out, struct xd_ike_procs *procs)
{
	struct xd_meta *m = xd_recbuf_meta(out);
	const char *env = secure_getenv("XFRMD_VICI_SOCKET");
	struct vici_conn c = { .fd = -1 };
	char path[700], comm[32] = "";
	int r;

	if (env && env[0]) {
		snprintf(path, sizeof(path), "%s", unix_path(env) ? unix_path(env) : env);
	} else {
		uint32_t pid = find_daemon(procs, comm, sizeof(comm));
		struct stat st;
		if (pid) {
			daemon_socket(pid, comm, path, sizeof(path));
		} else if (stat("/run/charon.vici", &st) == 0 || stat(VICI_DEFAULT_SOCKET, &st) == 0) {
			/* no daemon seen (another pid namespace?) but its socket is here */
			snprintf(path, sizeof(path), "%s", VICI_DEFAULT_SOCKET);
		} else {
			/* no strongSwan daemon: nothing to ask, nothing is wrong */
			xd_nl_set_status(m, XD_DUMP_IKE_VICI_CONNS, -ENOENT);
			xd_nl_set_status(m, XD_DUMP_IKE_VICI_SAS, -ENOENT);
			return;
		}
	}
	r = vici_connect(path, &c);
	if (r == 0) {
		r = list(&c, out, XD_DUMP_IKE_VICI_CONNS, "list-conn", "list-conns");
		if (r < 0)
			xd_recbuf_drop_dump(out, XD_DUMP_IKE_VICI_CONNS);
		xd_nl_set_status(m, XD_DUMP_IKE_VICI_CONNS, r);
		/* a daemon that did not answer the first listing will not answer the second */
		if (r != -ETIMEDOUT && r != -ECONNRESET) {
			r = list(&c, out, XD_DUMP_IKE_VICI_SAS, "list-sa", "list-sas");
			if (r < 0)
				xd_recbuf_drop_dump(out, XD_DUMP_IKE_VICI_SAS);
		}
		xd_nl_set_status(m, XD_DUMP_IKE_VICI_SAS, r);
		close(c.fd);
		return;
	}
	xd_nl_set_status(m, XD_DUMP_IKE_VICI_CONNS, r);
	xd_nl_set_status(m, XD_DUMP_IKE_VICI_SAS, r);
	/* a daemon runs (or a socket was named) but its socket is missing: unreachable, not
	 * an absent daemon */
	if (r == -ENOENT) {
		m->dump_status[XD_DUMP_IKE_VICI_CONNS] = XD_DUMP_ERROR;
		m->dump_status[XD_DUMP_IKE_VICI_SAS] = XD_DUMP_ERROR;
	}
}
