#include "synth/tcp_session.hpp"

#include <algorithm>
#include <utility>

#include "synth/pcap_writer.hpp"

namespace postern::synth {

namespace {

// A data segment of the sender's turn, in the order the capture sees it.
struct Slot {
    uint32_t offset;
    uint32_t len;
    PacketKind kind;
    bool dropped;
};

struct Pending {
    size_t due;  // appended once piece `due` has been placed
    Slot slot;
};

class Planner {
public:
    Planner(const SessionOptions &opt, Rng &rng, SessionPlan &plan)
        : opt_(opt), rng_(rng), plan_(plan), half_(opt.rtt_us / 2 ? opt.rtt_us / 2 : 1) {}

    void run(const Conversation &conv, uint64_t start_us);

private:
    uint32_t next_seq(Side s) const { return plan_.isn[index(s)] + 1 + sent_[index(s)]; }
    uint32_t ack_for(Side s) const {
        const Side o = other(s);
        return plan_.isn[index(o)] + 1 + received_[index(o)];
    }
    void push(uint64_t ts, Side from, PacketKind kind, uint8_t flags, uint32_t seq, uint32_t ack,
              uint32_t offset = 0, uint32_t len = 0);
    void choose_isns();
    void handshake(uint64_t t);
    uint64_t turn(Side from, uint32_t offset, uint32_t len, uint64_t t);
    void cut_segments(uint32_t offset, uint32_t len);
    void reorder();
    void teardown(uint64_t t);

    const SessionOptions &opt_;
    Rng &rng_;
    SessionPlan &plan_;
    uint64_t half_;
    uint32_t sent_[2] = {0, 0};      // bytes of each stream already sent
    uint32_t received_[2] = {0, 0};  // bytes of each stream the peer has in order
    uint16_t ip_id_[2] = {0, 0};
    std::vector<Slot> slots_;
    std::vector<Pending> pending_;
    std::vector<std::pair<uint32_t, uint32_t>> ooo_;  // receiver's out-of-order ranges
};

void Planner::push(uint64_t ts, Side from, PacketKind kind, uint8_t flags, uint32_t seq,
                   uint32_t ack, uint32_t offset, uint32_t len) {
    PlannedPacket p;
    p.ts_us = ts;
    p.seq = seq;
    p.ack = ack;
    p.offset = offset;
    p.len = len;
    p.ip_id = ip_id_[index(from)]++;
    p.flags = flags;
    p.from = from;
    p.kind = kind;
    plan_.packets.push_back(p);
}

void Planner::choose_isns() {
    for (int d = 0; d < 2; ++d) {
        const uint64_t len = plan_.stream[d].size();
        if (opt_.wrap) {
            // First data byte lands r bytes before 2^32 with r < len, so the stream crosses it.
            const uint64_t r = len ? rng_.below(std::min<uint64_t>(len, uint64_t{1} << 31))
                                   : rng_.below(16);
            plan_.isn[d] = static_cast<uint32_t>(0xFFFFFFFFULL - r);
        } else {
            plan_.isn[d] = static_cast<uint32_t>(rng_.next() >> 32);
        }
        ip_id_[d] = static_cast<uint16_t>(rng_.next() >> 48);
    }
}

void Planner::handshake(uint64_t t) {
    const uint32_t ic = plan_.isn[0], is = plan_.isn[1];
    push(t, Side::Client, PacketKind::Syn, kSyn, ic, 0);
    push(t + half_, Side::Server, PacketKind::SynAck, kSyn | kAck, is, ic + 1);
    push(t + 2 * half_, Side::Client, PacketKind::HandshakeAck, kAck, ic + 1, is + 1);
}

void Planner::cut_segments(uint32_t offset, uint32_t len) {
    slots_.clear();
    pending_.clear();
    const uint32_t mss = opt_.mss ? opt_.mss : 1;
    // Piece boundaries first, so an overlap can reach into the next piece.
    std::vector<std::pair<uint32_t, uint32_t>> pieces;
    for (uint32_t done = 0; done < len;) {
        const uint32_t left = len - done;
        uint32_t n = opt_.split ? static_cast<uint32_t>(rng_.between(1, mss)) : mss;
        if (n > left) n = left;
        pieces.emplace_back(offset + done, n);
        done += n;
    }
    const Impairments &im = opt_.impair;
    for (size_t i = 0; i < pieces.size(); ++i) {
        const auto [off, n] = pieces[i];
        const bool dropped = rng_.chance(im.drop);
        // Dropped pieces keep their place: the receiver got them, only the capture missed them.
        slots_.push_back({off, n, PacketKind::Data, dropped});
        if (dropped) {
            ++plan_.impairments.dropped;
        } else if (rng_.chance(im.duplicate)) {
            if (i + 1 < pieces.size() && rng_.chance(0.5)) {
                const auto [noff, nlen] = pieces[i + 1];
                const uint32_t start = off + n / 2;
                const uint32_t end = noff + std::max<uint32_t>(1, nlen / 2);
                pending_.push_back({i + 1, {start, end - start, PacketKind::Overlap, false}});
                ++plan_.impairments.overlapped;
            } else {
                pending_.push_back({i + rng_.below(3), {off, n, PacketKind::Retransmit, false}});
                ++plan_.impairments.duplicated;
            }
        }
        for (auto it = pending_.begin(); it != pending_.end();) {
            if (it->due <= i) {
                slots_.push_back(it->slot);
                it = pending_.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (const auto &p : pending_) slots_.push_back(p.slot);
}

void Planner::reorder() {
    const double p = opt_.impair.reorder;
    if (p <= 0) return;
    for (size_t i = 0; i + 1 < slots_.size(); ++i) {
        if (!rng_.chance(p)) continue;
        const size_t k = rng_.between(1, std::min<size_t>(3, slots_.size() - 1 - i));
        std::rotate(slots_.begin() + static_cast<std::ptrdiff_t>(i),
                    slots_.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                    slots_.begin() + static_cast<std::ptrdiff_t>(i + k) + 1);
        ++plan_.impairments.reordered;
        i += k;  // the delayed segment is not moved again
    }
}

// Sends one exchange starting at t; returns the time of its last segment.
uint64_t Planner::turn(Side from, uint32_t offset, uint32_t len, uint64_t t) {
    cut_segments(offset, len);
    reorder();
    const Side to = other(from);
    const uint32_t end = offset + len;
    const uint32_t ack = ack_for(from);
    uint32_t &cum = received_[index(from)];
    ooo_.clear();
    uint64_t ts = t;
    uint32_t arrivals = 0;
    for (size_t i = 0; i < slots_.size(); ++i, ts += opt_.segment_gap_us) {
        const Slot &s = slots_[i];
        if (!s.dropped) {
            const uint8_t flags = kAck | (s.offset + s.len == end ? kPsh : 0);
            push(ts, from, s.kind, flags, plan_.isn[index(from)] + 1 + s.offset, ack, s.offset, s.len);
        }
        // The receiver's view: cumulative ACK over what arrived so far.
        if (s.offset <= cum) {
            cum = std::max(cum, s.offset + s.len);
        } else {
            ooo_.emplace_back(s.offset, s.offset + s.len);
        }
        for (bool grew = true; grew;) {
            grew = false;
            for (auto it = ooo_.begin(); it != ooo_.end(); ++it) {
                if (it->first <= cum) {
                    cum = std::max(cum, it->second);
                    ooo_.erase(it);
                    grew = true;
                    break;
                }
            }
        }
        ++arrivals;
        const bool last = i + 1 == slots_.size();
        if (opt_.ack_every && (arrivals % opt_.ack_every == 0 || last))
            push(ts + half_, to, PacketKind::Ack, kAck, next_seq(to), ack_for(to));
    }
    sent_[index(from)] = end;
    return slots_.empty() ? t : ts - opt_.segment_gap_us;
}

void Planner::teardown(uint64_t t) {
    const Teardown how = plan_.teardown;
    if (how == Teardown::None) return;
    if (how == Teardown::Rst) {
        push(t, Side::Client, PacketKind::Rst, kRst | kAck, next_seq(Side::Client), ack_for(Side::Client));
        return;
    }
    const Side a = how == Teardown::FinClient ? Side::Client : Side::Server;
    const Side b = other(a);
    push(t, a, PacketKind::Fin, kFin | kAck, next_seq(a), ack_for(a));
    push(t + half_, b, PacketKind::Fin, kFin | kAck, next_seq(b), ack_for(b) + 1);
    push(t + 2 * half_, a, PacketKind::Ack, kAck, next_seq(a) + 1, ack_for(a) + 1);
}

void Planner::run(const Conversation &conv, uint64_t start_us) {
    // Streams first: ISNs for --wrap depend on their lengths.
    struct Turn {
        Side from;
        uint32_t offset, len;
        int64_t think;
    };
    std::vector<Turn> turns;
    turns.reserve(conv.exchanges.size());
    for (const auto &e : conv.exchanges) {
        if (e.data.empty()) continue;
        auto &s = plan_.stream[index(e.from)];
        turns.push_back({e.from, static_cast<uint32_t>(s.size()), static_cast<uint32_t>(e.data.size()),
                         e.think_us});
        s.insert(s.end(), e.data.begin(), e.data.end());
    }
    choose_isns();

    uint64_t t = start_us;
    if (plan_.handshake) {
        handshake(t);
        t += 2 * half_;
    }
    bool first = true;
    for (const auto &tr : turns) {
        uint64_t think = tr.think >= 0 ? static_cast<uint64_t>(tr.think)
                                       : rng_.between(opt_.think_us / 2, opt_.think_us * 3 / 2);
        if (first && !plan_.handshake) think = 0;  // the capture starts with the first data
        first = false;
        t = turn(tr.from, tr.offset, tr.len, t + think) + half_;
    }
    teardown(t + (turns.empty() ? 0 : half_));
    // ACKs trail their segment by rtt/2 and may land after later segments of the burst.
    std::stable_sort(plan_.packets.begin(), plan_.packets.end(),
                     [](const PlannedPacket &x, const PlannedPacket &y) { return x.ts_us < y.ts_us; });
}

}  // namespace

void plan_session(const FlowAddressing &addr, const Conversation &conv, const SessionOptions &opt,
                  uint64_t start_us, Rng &rng, SessionPlan &out) {
    out.addr = addr;
    out.stream[0].clear();
    out.stream[1].clear();
    out.packets.clear();
    out.mss = static_cast<uint16_t>(std::min<uint32_t>(opt.mss, 0xFFFF));
    out.window = opt.window;
    out.handshake = opt.handshake;
    out.teardown = conv.teardown;
    out.impairments = {};
    Planner(opt, rng, out).run(conv, start_us);
}

size_t planned_frame_len(const SessionPlan &plan, const PlannedPacket &p) {
    const bool mss = p.kind == PacketKind::Syn || p.kind == PacketKind::SynAck;
    return tcp_frame_len(plan.addr, mss, p.len);
}

size_t build_planned_frame(const SessionPlan &plan, const PlannedPacket &p, uint8_t *out) {
    SegmentFields f;
    f.from_client = p.from == Side::Client;
    f.seq = p.seq;
    f.ack = p.ack;
    f.flags = p.flags;
    f.window = plan.window;
    f.ip_id = p.ip_id;
    f.mss_option = (p.kind == PacketKind::Syn || p.kind == PacketKind::SynAck) ? plan.mss : 0;
    f.payload = p.len ? plan.stream[index(p.from)].data() + p.offset : nullptr;
    f.payload_len = p.len;
    return build_tcp_frame(plan.addr, f, out);
}

void write_session(const SessionPlan &plan, PcapWriter &writer) {
    for (const auto &p : plan.packets) {
        const size_t len = planned_frame_len(plan, p);
        uint8_t *dst = writer.reserve(static_cast<uint32_t>(len));
        build_planned_frame(plan, p, dst);
        writer.commit(p.ts_us, static_cast<uint32_t>(len));
    }
}

}  // namespace postern::synth
