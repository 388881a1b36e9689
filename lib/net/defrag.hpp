// IP reassembly (IPv4 and IPv6) that sees what a Linux receiver sees: fragments are held by
// reference (no copy) in a bounded table until their datagram is complete, an exact duplicate is
// ignored, and a datagram whose fragments overlap is dropped whole (Linux since 4.19, RFC 5722),
// so bytes an attacker sends twice never reach the inspector in a form the host did not accept.
// Fragments are handles (mbufs in the dataplane, buffers in tests) with retain/release, as in
// stream/segment.hpp. Every bound has a counter; time comes from the caller (capture time).
#pragma once

#include <cstdint>
#include <vector>

#include "net/flow_key.hpp"
#include "net/packet.hpp"
#include "util/counter.hpp"

namespace postern::net {

struct FragmentOps {
    void *ctx = nullptr;
    void (*retain)(void *ctx, void *handle) = nullptr;
    void (*release)(void *ctx, void *handle) = nullptr;
};

// One fragment, parsed (parse_fragment) from a frame that decode_packet called a fragment.
struct Fragment {
    IpFamily family = IpFamily::None;
    IpAddress src;
    IpAddress dst;
    uint32_t id = 0;
    uint8_t proto = 0;        // the upper-layer protocol (IPv6: the fragment header's next header)
    uint32_t offset = 0;      // of this fragment's data in the datagram, in bytes
    uint32_t len = 0;         // data bytes
    bool more = false;        // more fragments follow
    const uint8_t *frame = nullptr;  // the fragment's frame (its headers start here)
    const uint8_t *data = nullptr;   // the fragment's data
    void *handle = nullptr;
    // Where the headers end that a reassembled frame keeps (Ethernet + IP; IPv6: the
    // unfragmentable part, without the fragment header), and for IPv6 the offset of the byte
    // that names the fragment header (to be replaced by `proto`).
    uint16_t header_len = 0;
    uint16_t next_header_at = 0;
    uint16_t l3_offset = 0;  // where the IP header starts
};

enum class FragmentParse : uint8_t { Ok, Truncated, Invalid };

// Reads the fragment fields of a frame whose first `contiguous` bytes hold its headers.
FragmentParse parse_fragment(const uint8_t *frame, size_t contiguous, size_t frame_len, const PacketView &view,
                             Fragment &out);

struct DefragLimits {
    uint32_t max_datagrams = 4096;          // datagrams being reassembled at once (per table)
    uint32_t max_fragments = 16384;         // fragments held at once (per table)
    uint32_t max_fragments_per_datagram = 8192;  // 64 KB in 8-byte pieces: what a host still accepts
    uint64_t timeout_ns = 30'000'000'000;   // Linux's ipfrag_time
};

struct DefragStats {
    util::Counter fragments;        // offered
    util::Counter reassembled;      // datagrams completed
    util::Counter duplicates;       // exact repeats of a held fragment, ignored
    util::Counter overlaps;         // datagrams dropped for overlapping fragments
    util::Counter timeouts;         // datagrams never completed
    util::Counter table_full;       // no room for a new datagram or fragment
    util::Counter too_many;         // a datagram over max_fragments_per_datagram
    util::Counter invalid;          // bad lengths (past 64 KB, a second last fragment that disagrees)
    util::Counter held;             // gauge: fragments held now
};

enum class DefragResult : uint8_t {
    Held,       // kept until its datagram completes
    Complete,   // `out` holds the datagram
    Duplicate,  // an exact repeat: dropped, the datagram goes on
    Overlap,    // the datagram was dropped (and this fragment)
    Dropped,    // a bound or an invalid length: this fragment (and its datagram) dropped
};

// A completed datagram: the pieces in offset order, each a reference the caller now owns and
// must release; pieces[0] is the fragment at offset 0, whose headers the frame keeps.
struct Reassembled {
    struct Piece {
        void *handle;
        const uint8_t *data;
        uint32_t len;
    };
    std::vector<Piece> pieces;  // capacity reserved once (max_fragments_per_datagram)
    Fragment first;             // the offset-0 fragment's fields (header_len, proto, ...)
    uint32_t total_len = 0;     // data bytes of the datagram
};

class Defragmenter {
public:
    Defragmenter(const DefragLimits &limits, FragmentOps ops);
    ~Defragmenter();
    Defragmenter(const Defragmenter &) = delete;
    Defragmenter &operator=(const Defragmenter &) = delete;

    // Takes a reference on f.handle when it holds the fragment; the caller keeps its own.
    DefragResult add(const Fragment &f, uint64_t now_ns, Reassembled &out);
    // Drops datagrams older than the timeout (call every so often with the current time).
    void expire(uint64_t now_ns);
    // Drops everything held (shutdown).
    void clear();

    const DefragStats &stats() const { return stats_; }
    uint32_t datagrams() const { return used_; }

private:
    struct Key {
        IpAddress src, dst;
        uint32_t id = 0;
        uint8_t proto = 0;
        IpFamily family = IpFamily::None;
        bool operator==(const Key &) const = default;
    };
    struct Node {  // a held fragment, in its datagram's offset-ordered list
        void *handle = nullptr;
        const uint8_t *data = nullptr;
        uint32_t offset = 0, len = 0;
        uint32_t next = kNone;
    };
    struct Entry {
        Key key;
        bool used = false;
        uint64_t first_ns = 0;
        uint32_t head = kNone;      // node list
        uint32_t count = 0;
        uint32_t bytes = 0;         // data bytes held (no overlaps by construction)
        uint32_t total = 0;         // datagram length, known from the last fragment
        bool have_last = false;
        Fragment first;             // fields of the offset-0 fragment, once seen
        bool have_first = false;
        uint32_t older = kNone, newer = kNone;  // age list: the timeout is the same for all
    };
    static constexpr uint32_t kNone = UINT32_MAX;

    uint32_t find(const Key &k, bool create, uint64_t now_ns);
    void drop(uint32_t e);  // releases the fragments and frees the entry
    void unlink_age(uint32_t e);
    uint32_t bucket(const Key &k) const;

    DefragLimits limits_;
    FragmentOps ops_;
    std::vector<Entry> entries_;  // open addressing, linear probing; capacity a power of two
    std::vector<Node> nodes_;
    uint32_t free_node_ = kNone;
    uint32_t used_ = 0;
    uint32_t held_ = 0;
    uint32_t oldest_ = kNone, newest_ = kNone;
    uint64_t hash_key_ = 0;  // random per table: an attacker cannot aim datagrams at one probe chain
    DefragStats stats_;
};

}  // namespace postern::net
