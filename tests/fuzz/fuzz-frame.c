/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-frame.c: collector -> main framing. The input is a sequence of datagrams, each
 * prefixed with a 2-byte little-endian length, fed to the main process's reassembly; complete
 * resyncs are decoded into a snapshot like the daemon does, and events rendered into watch
 * lines. The kernel-event decoder itself has its own target (fuzz-kevent.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "xfrmd/decode.h"
#include "xfrmd/model.h"
#include "xfrmd/recbuf.h"
#include "xfrmd/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xd_frame_rx rx;
	size_t off = 0;

	xd_frame_rx_init(&rx);
	while (off + 2 <= size) {
		struct xd_frame_rx_out out = { 0 };
		size_t n = (size_t)data[off] | (size_t)data[off + 1] << 8;
		int r;

		off += 2;
		if (n > size - off)
			n = size - off;
		r = xd_frame_rx_feed(&rx, data + off, n, &out);
		off += n;
		if (r == XD_RX_EVENT) {
			char *line = NULL;
			size_t len;
			if (xd_render_watch_kevent(&out.event, &line, &len) == 0)
				free(line);
		}
		if (r == XD_RX_COMPLETE) {
			struct xd_snapshot *s = NULL;
			struct xd_record_sink sink;
			if (xd_snapshot_new(&s) == 0) {
				s->meta = *xd_recbuf_meta_const(out.buf);
				xd_decode_sink_init(&sink, s);
				(void)xd_recbuf_replay(out.buf, &sink);
				xd_snapshot_sort(s);
				xd_snapshot_free(s);
			}
			xd_recbuf_free(out.buf);
		}
	}
	xd_frame_rx_done(&rx);
	return 0;
}
