// The worker's side of GET /api/v1/flows (see flow_query.hpp): a bounded min-heap over the flow
// table in the preallocated slot, so answering allocates nothing and costs one table walk.
#include <algorithm>

#include "worker_lcore.hpp"

namespace postern::dataplane {

void Worker::serve_flow_query() {
    FlowQuerySlot &q = *flow_query_;
    const uint64_t asked = q.asked.load(std::memory_order_acquire);
    const uint32_t top = std::min(q.top.load(std::memory_order_relaxed), FlowQuerySlot::kMaxTop);
    const bool by_packets = q.by_packets.load(std::memory_order_relaxed);
    auto weight = [by_packets](const FlowBrief &b) {
        return by_packets ? b.pkts[0] + b.pkts[1] : b.bytes[0] + b.bytes[1];
    };
    auto heavier = [&](const FlowBrief &a, const FlowBrief &b) { return weight(a) > weight(b); };  // min-heap
    uint32_t n = 0;
    inspector_.for_each_flow([&](const net::FlowKey &key, const engine::Flow &f) {
        FlowBrief b;
        b.pkts[0] = f.pkts[0], b.pkts[1] = f.pkts[1], b.bytes[0] = f.bytes[0], b.bytes[1] = f.bytes[1];
        if (n == top && (top == 0 || weight(b) <= weight(q.flows[0]))) return;
        const bool is_tcp = key.proto == net::kProtoTcp;
        b.endpoints = output::endpoints_of(key, f.client_is_a_now(is_tcp));
        b.flow_id = f.flow_id;
        b.start_ns = f.start_ns;
        b.last_ns = f.last_ns;
        b.port = f.port;
        b.app_proto = engine::Inspector::app_proto_name(f);
        b.state = engine::Inspector::state_name(f, is_tcp);
        b.tcp_state = is_tcp ? stream::tcp_state_name(f.tcp.state()) : std::string_view();
        if (n == top) {
            std::pop_heap(q.flows.begin(), q.flows.begin() + n, heavier);
            q.flows[n - 1] = b;
        } else {
            q.flows[n++] = b;
        }
        std::push_heap(q.flows.begin(), q.flows.begin() + n, heavier);
    });
    std::sort_heap(q.flows.begin(), q.flows.begin() + n, heavier);  // largest first
    q.count = n;
    q.active = inspector_.flows_active();
    q.answered.store(asked, std::memory_order_release);
}

}  // namespace postern::dataplane
