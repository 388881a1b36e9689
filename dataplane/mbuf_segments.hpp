// Held out-of-order TCP segments reference their mbufs: the stream layer takes a reference while
// it holds one and frees it when the data has been delivered or given up.
#pragma once

#include <rte_mbuf.h>

#include "stream/segment.hpp"

namespace postern::dataplane {

inline stream::SegmentOps mbuf_segment_ops() {
    stream::SegmentOps ops;
    ops.retain = [](void *, void *handle) { rte_mbuf_refcnt_update(static_cast<rte_mbuf *>(handle), 1); };
    ops.release = [](void *, void *handle) { rte_pktmbuf_free(static_cast<rte_mbuf *>(handle)); };
    return ops;
}

}  // namespace postern::dataplane
