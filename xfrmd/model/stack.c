/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stack.c: IKE stack facts of a snapshot, policy fingerprints and the folded stack view.
 *
 * Fingerprints recompute each daemon's priority formula from the policy's own selector
 * (netlink.md §3.2) instead of matching ranges, so a policy typed by hand with a priority
 * that merely falls into a daemon's range is not attributed to it; priority 0 is what
 * `ip xfrm policy add` uses when none is given.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "xfrmd/model.h"
#include "xfrmd/stack.h"

struct xd_stack_facts *xd_snapshot_stack(struct xd_snapshot *s)
{
	struct xd_stack_facts *f;

	if (s->stack)
		return s->stack;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	xd_vec_init(&f->isocks, sizeof(struct xd_isock));
	xd_vec_init(&f->nlsocks, sizeof(struct xd_nlsock));
	xd_vec_init(&f->procs, sizeof(struct xd_proc));
	xd_vec_init(&f->proc_inodes, sizeof(uint64_t));
	xd_vec_init(&f->ctl_sockets, sizeof(struct xd_stack_version));
	xd_vec_init(&f->versions, sizeof(struct xd_stack_version));
	s->stack = f;
	return f;
}

void xd_stack_facts_done(struct xd_stack_facts *f)
{
	if (!f)
		return;
	xd_vec_done(&f->isocks);
	xd_vec_done(&f->nlsocks);
	xd_vec_done(&f->procs);
	xd_vec_done(&f->proc_inodes);
	xd_vec_done(&f->ctl_sockets);
	xd_vec_done(&f->versions);
	free(f);
}

static const char *const kind_names[_XD_STACK_KIND_MAX] = {
	[XD_STACK_UNKNOWN] = "unknown",     [XD_STACK_STRONGSWAN] = "strongswan",
	[XD_STACK_LIBRESWAN] = "libreswan", [XD_STACK_OPENSWAN] = "openswan",
	[XD_STACK_RACOON] = "racoon",       [XD_STACK_IKED] = "iked",
	[XD_STACK_MANUAL] = "manual",
};

const char *xd_stack_kind_name(enum xd_stack_kind k)
{
	return (unsigned)k < _XD_STACK_KIND_MAX ? kind_names[k] : NULL;
}

enum xd_stack_kind xd_stack_kind_from_comm(const char *comm)
{
	static const struct {
		const char *comm;
		enum xd_stack_kind kind;
	} map[] = {
		/* strongSwan's daemons: the classic one, systemd's, NetworkManager's plugin
		 * (charon-nm) and the command-line client (charon-cmd); all install SAs */
		{ "charon", XD_STACK_STRONGSWAN },    { "charon-systemd", XD_STACK_STRONGSWAN },
		{ "charon-nm", XD_STACK_STRONGSWAN }, { "charon-cmd", XD_STACK_STRONGSWAN },
		{ "pluto", XD_STACK_LIBRESWAN },      { "racoon", XD_STACK_RACOON },
		{ "iked", XD_STACK_IKED },
	};
	if (!comm)
		return XD_STACK_UNKNOWN;
	/* comm is truncated to 15 bytes by the kernel: "charon-systemd" fits */
	for (size_t i = 0; i < XD_ARRAY_SIZE(map); i++)
		if (xd_streq(comm, map[i].comm))
			return map[i].kind;
	return XD_STACK_UNKNOWN;
}

/* ---- versions from executables ---- */

/*
 * Marks that precede a version in an IKE daemon's executable, best first. Every libreswan
 * since 3.x carries its own vendor ID "OE-Libreswan-" + version (lib/libswan/version.in.c);
 * releases before 5.4 also carry "Libreswan " + version. The vendor-ID table of pluto names
 * other implementations and its own old releases ("Libreswan 3.0 - 3.5", "Openswan(project)",
 * "strongSwan"): a version followed by a range is such a label, never the binary's own.
 */
static const struct {
	const char *mark;
	const char *product;
} marks[] = {
	{ "OE-Libreswan-", "Libreswan" }, { "Libreswan ", "Libreswan" },
	{ "Openswan ", "Openswan" },       { "ipsec-tools ", "ipsec-tools" },
	{ "OpenIKED ", "OpenIKED" },
};

static size_t copy_version(const char *data, size_t len, size_t at, char *ver, size_t vlen)
{
	size_t k = 0;

	for (size_t j = at; j < len && k + 1 < vlen &&
			    ((data[j] >= '0' && data[j] <= '9') || data[j] == '.' ||
			     (data[j] >= 'a' && data[j] <= 'z'));
	     j++)
		ver[k++] = data[j];
	ver[k] = '\0';
	return k;
}

/* "3.0 - 3.5", "3.0-3.5", "3.6+": a label for a range of releases, not one release. */
static bool is_range(const char *data, size_t len, size_t at)
{
	size_t j = at;

	if (j < len && data[j] == '+')
		return true;
	while (j < len && data[j] == ' ')
		j++;
	if (j >= len || data[j] != '-')
		return false;
	j++;
	while (j < len && data[j] == ' ')
		j++;
	/* another dotted version; "5.3-12" (a build 12 commits after a tag) is not a range */
	if (j >= len || data[j] < '0' || data[j] > '9')
		return false;
	while (j < len && data[j] >= '0' && data[j] <= '9')
		j++;
	return j < len && data[j] == '.';
}

bool xd_stack_version_scan(const char *data, size_t len, char *product, size_t plen,
			   char *ver, size_t vlen)
{
	size_t best = XD_ARRAY_SIZE(marks);
	bool swan = false, other = false;
	char bare[32] = "";

	if (!vlen || !plen)
		return false;
	ver[0] = '\0';
	for (size_t i = 0; i < len; i++) {
		if (data[i] == 's' && len - i >= 10 && memcmp(data + i, "strongSwan", 10) == 0)
			swan = true;
		if ((data[i] == 'L' || data[i] == 'l') && len - i >= 9 &&
		    memcmp(data + i + 1, "ibreswan", 8) == 0)
			other = true;
		for (size_t m = 0; m < XD_ARRAY_SIZE(marks) && m <= best; m++) {
			size_t ml = strlen(marks[m].mark), at = i + ml, n;
			char cand[64];
			if (len - i < ml + 1 || memcmp(data + i, marks[m].mark, ml) != 0)
				continue;
			/* "OE-Libreswan-v5.4" from a build of a git tag */
			if (m == 0 && data[at] == 'v' && at + 1 < len)
				at++;
			if (data[at] < '0' || data[at] > '9')
				break;
			n = copy_version(data, len, at, cand, sizeof(cand));
			if (!n || is_range(data, len, at + n))
				break;
			/* within one mark the newest wins: tables may name older releases */
			if (m < best || strverscmp(cand, ver) > 0) {
				snprintf(product, plen, "%s", marks[m].product);
				snprintf(ver, vlen, "%s", cand);
				best = m;
			}
			break;
		}
		/* a NUL-delimited "D.D.D" string, kept in case this is strongSwan */
		if (!bare[0] && data[i] == '\0' && i + 1 < len && data[i + 1] >= '0' &&
		    data[i + 1] <= '9') {
			size_t j = i + 1, dots = 0;
			while (j < len && j - i < 16 &&
			       ((data[j] >= '0' && data[j] <= '9') || data[j] == '.'))
				dots += data[j++] == '.';
			if (j < len && data[j] == '\0' && dots == 2 && j - i - 1 < sizeof(bare))
				snprintf(bare, sizeof(bare), "%.*s", (int)(j - i - 1), data + i + 1);
		}
	}
	if (best < XD_ARRAY_SIZE(marks))
		return true;
	/* strongSwan prints its name with %s, so only its bare version string is left; pluto
	 * names strongSwan too (vendor IDs): a binary naming libreswan is never taken for it */
	if (swan && !other && bare[0]) {
		snprintf(product, plen, "strongSwan");
		snprintf(ver, vlen, "%s", bare);
		return true;
	}
	ver[0] = '\0';
	return false;
}

/* ---- fingerprints ---- */

static unsigned popcount16(uint16_t v)
{
	return (unsigned)__builtin_popcount(v);
}

/* strongSwan >= 4.5.3 with PRIO_BASE 100000 (5.4.1) or 200000 (5.5.2+): kn get_priority(). */
static bool is_strongswan(const struct xd_policy *p)
{
	static const uint32_t bases[] = { 100000, 200000 };
	const struct xd_selector *s = &p->sel;
	uint32_t fixed = ((uint32_t)s->prefixlen_s + s->prefixlen_d) * 512 + (s->proto ? 256 : 0) +
			 (popcount16(s->sport_mask) + popcount16(s->dport_mask)) * 4;

	for (size_t b = 0; b < XD_ARRAY_SIZE(bases); b++)
		for (uint32_t k = 1; k <= 3; k++) {
			uint32_t base = bases[b] * k;
			if (p->priority > base)
				continue;
			/* remainder: interface (2) and "not ROUTED" (1) */
			uint32_t rest = base - p->priority;
			if (rest >= fixed && rest - fixed <= 3)
				return true;
		}
	return false;
}

/*
 * libreswan and Openswan compute a priority from the connection's local and remote clients,
 * not from the selector's source and destination: an out policy's source is the local
 * client, an in or fwd policy's is the remote one. Gateways whose two sides have different
 * prefix lengths show the difference (libreswan spd_priority(), all releases).
 */
static uint8_t local_plen(const struct xd_policy *p)
{
	return p->dir == 1 ? p->sel.prefixlen_s : p->sel.prefixlen_d;
}

static uint8_t remote_plen(const struct xd_policy *p)
{
	return p->dir == 1 ? p->sel.prefixlen_d : p->sel.prefixlen_s;
}

/* libreswan >= 4.5 packs base(2)|portsw(2)|protow(1)|localw(8)|remotew(8)|instw(1),
 * w = 128 - len. */
static bool is_libreswan45(const struct xd_policy *p)
{
	uint32_t v = p->priority;
	uint32_t base = v >> 20, srcw = (v >> 9) & 0xff, dstw = (v >> 1) & 0xff;

	return base >= 1 && base <= 3 && (v >> 22) == 0 && srcw == 128u - local_plen(p) &&
	       dstw == 128u - remote_plen(p) && ((v >> 17) & 1) == (p->sel.proto == 0);
}

/* libreswan 3.30-4.4: pmax - (portsw<<18|protow<<17|localw<<9|remotew<<1|instw),
 * w = prefix length. */
static bool is_libreswan330(const struct xd_policy *p)
{
	static const uint32_t pmax[] = { 2 * (1u << 20) - 1, 3 * (1u << 20) - 1,
					 4 * (1u << 20) - 1 };
	for (size_t i = 0; i < XD_ARRAY_SIZE(pmax); i++) {
		uint32_t d;
		if (p->priority > pmax[i])
			continue;
		d = pmax[i] - p->priority;
		if (((d >> 9) & 0xff) == local_plen(p) && ((d >> 1) & 0xff) == remote_plen(p) &&
		    (d >> 20) == 0)
			return true;
	}
	return false;
}

/* libreswan 3.25-3.29: 2*(1<<19)-1 - (portsw<<17|protow<<16|localw<<8|remotew). */
static bool is_libreswan325(const struct xd_policy *p)
{
	const uint32_t pmax = 2 * (1u << 19) - 1;
	uint32_t d;

	if (p->priority > pmax)
		return false;
	d = pmax - p->priority;
	return ((d >> 8) & 0xff) == local_plen(p) && (d & 0xff) == remote_plen(p) &&
	       (d >> 19) == 0;
}

/* Openswan and libreswan <= 3.24: 1024 + ((2<<sh) - src) << sh + (2<<sh) - dst, minus
 * 512 (pass), 64 (proto), 32 per port in libreswan. */
static bool is_openswan(const struct xd_policy *p)
{
	unsigned sh = p->sel.family == AF_INET6 ? 7 : 5;
	uint32_t w = 2u << sh, base;

	if (local_plen(p) > w || remote_plen(p) > w)
		return false;
	base = 1024 + ((w - local_plen(p)) << sh) + (w - remote_plen(p));
	for (uint32_t k = 0; k < 16; k++) {
		uint32_t adj = (k & 1 ? 512 : 0) + (k & 2 ? 64 : 0) + (k & 4 ? 32 : 0) +
			       (k & 8 ? 32 : 0);
		if (base >= adj && p->priority == base - adj)
			return true;
	}
	return false;
}

void xd_policy_fingerprint(const struct xd_policy *p, struct xd_policy_fp *ret)
{
	const struct xd_selector *s = &p->sel;
	uint32_t v = p->priority;

	*ret = (struct xd_policy_fp){ XD_STACK_UNKNOWN, "priority matches no known scheme" };
	if (p->dir >= 3) {
		*ret = (struct xd_policy_fp){ XD_STACK_UNKNOWN, "socket policy (per IKE socket)" };
		return;
	}
	if (v == 0) {
		*ret = (struct xd_policy_fp){ XD_STACK_MANUAL,
					      "priority 0: installed by hand (ip xfrm default)" };
		return;
	}
	if (v >= 0x40000000u - 0x10000 && v <= 0xC0000000u + 0x10000 &&
	    ((v + 0x10000) & 0x3fffffffu) <= 0x20000) {
		*ret = (struct xd_policy_fp){ XD_STACK_RACOON,
					      "PF_KEY priority near 0x80000000 (racoon/setkey)" };
		return;
	}
	if (v == 32 && s->proto == IPPROTO_UDP && (s->sport_mask == 0xffff || s->dport_mask == 0xffff)) {
		*ret = (struct xd_policy_fp){ XD_STACK_STRONGSWAN,
					      "strongSwan port bypass policy (priority 32)" };
		return;
	}
	if (v == 1) {
		*ret = (struct xd_policy_fp){ XD_STACK_LIBRESWAN,
					      "libreswan bypass policy (priority 1)" };
		return;
	}
	if (is_libreswan45(p))
		*ret = (struct xd_policy_fp){ XD_STACK_LIBRESWAN, "libreswan >= 4.5 priority packing" };
	else if (is_libreswan330(p))
		*ret = (struct xd_policy_fp){ XD_STACK_LIBRESWAN, "libreswan 3.30-4.4 priority formula" };
	else if (is_libreswan325(p))
		*ret = (struct xd_policy_fp){ XD_STACK_LIBRESWAN, "libreswan 3.25-3.29 priority formula" };
	else if (is_strongswan(p))
		*ret = (struct xd_policy_fp){ XD_STACK_STRONGSWAN, "strongSwan >= 5.4 priority formula" };
	else if (is_openswan(p))
		*ret = (struct xd_policy_fp){ XD_STACK_OPENSWAN,
					      "Openswan / libreswan <= 3.24 priority formula" };
}

/* The fields xd_policy_fingerprint() reads are equal in both policies. */
static bool same_fingerprint_input(const struct xd_policy *a, const struct xd_policy *b)
{
	return a->priority == b->priority && a->dir == b->dir && a->sel.family == b->sel.family &&
	       a->sel.prefixlen_s == b->sel.prefixlen_s && a->sel.prefixlen_d == b->sel.prefixlen_d &&
	       a->sel.proto == b->sel.proto && a->sel.sport_mask == b->sel.sport_mask &&
	       a->sel.dport_mask == b->sel.dport_mask;
}

const char *xd_reqid_hint(uint32_t reqid)
{
	if (reqid == 0)
		return NULL;
	/* libreswan: blocks of 4 above IPSEC_MANUAL_REQID_MAX 0x3fff, AH = base, ESP = base + 1 */
	if (reqid >= 16388 && (reqid - 16388) % 4 <= 2)
		return (reqid - 16388) % 4 == 1 ? "libreswan ESP reqid block (or a busy sequential allocator)"
		       : (reqid - 16388) % 4 == 2 ? "libreswan IPComp reqid block"
						  : "libreswan AH reqid block";
	if (reqid >= 16385)
		return "Openswan block or PF_KEY unique reqid (kernel-allocated from 16385)";
	return "small reqid: sequential (strongSwan from charon.reqid_base 1) or typed by hand";
}

/* ---- the view ---- */

static const struct xd_proc *proc_by_inode(const struct xd_stack_facts *f, uint64_t ino)
{
	for (size_t i = 0; i < f->procs.len; i++) {
		const struct xd_proc *p = xd_vec_at(&f->procs, i);
		for (uint32_t j = 0; j < p->sock_count && p->sock_first + j < f->proc_inodes.len; j++) {
			const uint64_t *x = xd_vec_at(&f->proc_inodes, p->sock_first + j);
			if (*x == ino)
				return p;
		}
	}
	return NULL;
}

static void add_daemon_from_proc(const struct xd_stack_facts *f, const struct xd_proc *p,
				 struct xd_stack_view *v)
{
	struct xd_daemon *d;

	if (v->n_daemons >= XD_MAX_DAEMONS)
		return;
	d = &v->daemons[v->n_daemons++];
	*d = (struct xd_daemon){ .kind = xd_stack_kind_from_comm(p->comm), .pid = p->pid,
				 .comm = p->comm, .elf_bits = p->elf_bits };
	for (size_t i = 0; i < f->versions.len; i++) {
		const struct xd_stack_version *sv = xd_vec_at(&f->versions, i);
		if (sv->pid == p->pid) {
			d->version = sv->version;
			d->version_source = sv->source;
			/* the binary knows better than the process name */
			if (sv->product && xd_streq(sv->product, "Openswan"))
				d->kind = XD_STACK_OPENSWAN;
		}
	}
	for (size_t i = 0; i < f->ctl_sockets.len; i++) {
		const struct xd_stack_version *c = xd_vec_at(&f->ctl_sockets, i);
		if (c->pid == p->pid && !d->ctl_socket)
			d->ctl_socket = c->source;
	}
	for (uint32_t j = 0; j < p->sock_count && p->sock_first + j < f->proc_inodes.len; j++) {
		uint64_t ino = *(const uint64_t *)xd_vec_at(&f->proc_inodes, p->sock_first + j);
		for (size_t i = 0; i < f->nlsocks.len; i++) {
			const struct xd_nlsock *ns = xd_vec_at(&f->nlsocks, i);
			if (ns->inode == ino && ns->proto == 6 /* NETLINK_XFRM */) {
				d->xfrm_groups |= ns->groups;
				if (ns->groups & 1)
					d->acquire_listener = true;
			}
		}
		for (size_t i = 0; i < f->isocks.len; i++) {
			const struct xd_isock *is = xd_vec_at(&f->isocks, i);
			bool dup = false;
			if (is->inode != ino || is->proto != IPPROTO_UDP)
				continue;
			for (unsigned k = 0; k < d->n_ike_ports; k++)
				dup |= d->ike_ports[k] == is->sport;
			if (!dup && d->n_ike_ports < XD_ARRAY_SIZE(d->ike_ports))
				d->ike_ports[d->n_ike_ports++] = is->sport;
		}
	}
}

/* Without process information, XFRM group memberships still name a daemon (§3.4). */
static void add_daemons_from_netlink(const struct xd_stack_facts *f, struct xd_stack_view *v)
{
	for (size_t i = 0; i < f->nlsocks.len && v->n_daemons < XD_MAX_DAEMONS; i++) {
		const struct xd_nlsock *ns = xd_vec_at(&f->nlsocks, i);
		enum xd_stack_kind k;
		if (ns->proto != 6)
			continue;
		if (ns->groups == 0xc3)
			k = XD_STACK_STRONGSWAN;
		else if (ns->groups == 0x03)
			k = XD_STACK_LIBRESWAN;
		else
			continue;
		v->daemons[v->n_daemons++] = (struct xd_daemon){
			.kind = k, .xfrm_groups = ns->groups, .acquire_listener = true,
			.pid = k == XD_STACK_LIBRESWAN ? ns->portid : 0,
		};
	}
}

void xd_stack_view_compute(const struct xd_snapshot *s, struct xd_stack_view *v)
{
	const struct xd_stack_facts *f = s->stack;

	const struct xd_policy *prev = NULL;
	struct xd_policy_fp fp = { 0 };

	memset(v, 0, sizeof(*v));
	for (size_t i = 0; i < s->policies.len; i++) {
		const struct xd_policy *p = xd_snapshot_policy(s, i);
		if (p->dir >= 3) {
			v->socket_policies++;
			continue;
		}
		/* sorted by (dir, priority): neighbours mostly share everything a fingerprint reads */
		if (!prev || !same_fingerprint_input(prev, p))
			xd_policy_fingerprint(p, &fp);
		prev = p;
		if (!v->policies_by_kind[fp.kind]++)
			v->first_policy_by_kind[fp.kind] = p->index;
	}
	if (!f)
		return;
	v->klips = f->klips;
	v->have_processes = f->procs_present;
	v->have_sockets = f->udp_present;
	v->have_netlink = f->netlink_present;

	for (size_t i = 0; i < f->nlsocks.len; i++) {
		const struct xd_nlsock *ns = xd_vec_at(&f->nlsocks, i);
		if (ns->proto == 6 && (ns->groups & 1))
			v->acquire_listeners++;
	}
	if (f->procs_present) {
		for (size_t i = 0; i < f->procs.len; i++) {
			const struct xd_proc *p = xd_vec_at(&f->procs, i);
			if (xd_stack_kind_from_comm(p->comm) != XD_STACK_UNKNOWN)
				add_daemon_from_proc(f, p, v);
		}
	} else {
		add_daemons_from_netlink(f, v);
	}
	for (size_t i = 0; i < f->isocks.len; i++) {
		const struct xd_isock *is = xd_vec_at(&f->isocks, i);
		const struct xd_proc *p;
		bool ike_udp = is->proto == IPPROTO_UDP && (is->sport == 500 || is->sport == 4500);
		bool ike_tcp = is->proto == IPPROTO_TCP && is->sport == 4500 && is->state == 10;
		if (!ike_udp && !ike_tcp)
			continue;
		if (ike_udp)
			v->ike_sockets++;
		if (v->n_owners >= XD_ARRAY_SIZE(v->owners))
			continue;
		p = proc_by_inode(f, is->inode);
		v->owners[v->n_owners] = (struct xd_port_owner){
			.port = is->sport, .proto = is->proto, .family = is->family,
			.pid = p ? p->pid : 0, .comm = p ? p->comm : NULL,
			.kind = p ? xd_stack_kind_from_comm(p->comm) : XD_STACK_UNKNOWN,
		};
		memcpy(v->owners[v->n_owners].addr, is->src, sizeof(is->src));
		v->n_owners++;
	}
}

const struct xd_daemon *xd_stack_view_daemon(const struct xd_stack_view *v,
					     enum xd_stack_kind kind)
{
	for (unsigned i = 0; i < v->n_daemons; i++)
		if (v->daemons[i].kind == kind)
			return &v->daemons[i];
	return NULL;
}
