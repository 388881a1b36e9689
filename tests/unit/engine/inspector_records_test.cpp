// What the inspection engine writes about a flow: endpoints oriented client → server however the
// session was picked up, VLAN tags as Suricata writes them, and the same records whatever the
// interleaving of flows (the one flow context is filled per flow, never carried over).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "engine_harness.hpp"

namespace postern::engine {
namespace {

using test::Engine;
using test::plan;
using test::smtp;

TEST(InspectorRecords, VlanTagsAsSuricata) {
    synth::FlowAddressing a = test::addr(40100);
    a.vlan = synth::VlanMode::QinQ;
    a.vlan_outer = 100, a.vlan_inner = 200;
    Engine e(config::Config{});
    e.feed(plan(smtp("hello"), 40100, 25, 1'700'000'000'000'000, {}, &a));
    e.finish();
    ASSERT_FALSE(e.out.of_type("smtp").empty());
    for (const auto &r : e.out.records) EXPECT_EQ(r["vlan"], nlohmann::json::array({100, 200})) << r.dump();
}

TEST(InspectorRecords, MidstreamPickupStillNamesTheClientAsSource) {
    // No handshake, and the server's reply is the first packet seen: the roles come from the
    // ports, learnt during the first packet, and every record must already use them.
    synth::SessionOptions o;
    o.handshake = false;
    auto p = plan(smtp("hello"), 40101, 25, 1'700'000'000'000'000, o);
    Engine e(config::Config{});
    e.feed(p);
    e.finish();
    ASSERT_FALSE(e.out.records.empty());
    for (const auto &r : e.out.records) {
        EXPECT_EQ(r["src_port"], 40101) << r.dump();
        EXPECT_EQ(r["dest_port"], 25) << r.dump();
    }
}

TEST(InspectorRecords, InterleavedFlowsKeepTheirOwnContext) {
    // Two sessions packet by packet: each record names its own flow and endpoints.
    const auto one = plan(smtp("hello"), 40102);
    const auto two = plan(smtp("hello"), 40103, 587, 1'700'000'000'000'001);
    Engine e(config::Config{});
    e.feed({&one, &two});
    e.finish();
    std::map<int, std::set<uint64_t>> ids;
    for (const auto &r : e.out.records) {
        const int port = r["src_port"];
        ASSERT_TRUE(port == 40102 || port == 40103) << r.dump();
        EXPECT_EQ(r["dest_port"], port == 40102 ? 25 : 587) << r.dump();
        ids[port].insert(r["flow_id"].get<uint64_t>());
    }
    ASSERT_EQ(ids.size(), 2u);
    EXPECT_EQ(ids[40102].size(), 1u);
    EXPECT_EQ(ids[40103].size(), 1u);
    EXPECT_NE(*ids[40102].begin(), *ids[40103].begin());
    EXPECT_EQ(e.out.of_type("smtp").size(), 2u);
}

// A flow's endpoints are kept across its packets: a new flow in the same table slot (here the
// only one, so every flow evicts the last) must not inherit them.
TEST(InspectorRecords, AFlowInAReusedSlotHasItsOwnEndpoints) {
    config::Config c;
    c.max_flows_per_worker = 1;
    const auto one = plan(smtp("hello"), 40104);
    const auto two = plan(smtp("hello"), 40105, 587, 1'700'000'000'000'001);
    Engine e(c);
    e.feed({&one, &two});  // packet by packet: the two flows take the one slot in turns
    e.feed(plan(smtp("hello"), 40106, 2525, 1'700'000'000'000'002));
    e.finish();
    std::set<int> seen;
    for (const auto &r : e.out.records) {
        const int port = r["src_port"];
        ASSERT_TRUE(port == 40104 || port == 40105 || port == 40106) << r.dump();
        EXPECT_EQ(r["dest_port"], port == 40104 ? 25 : port == 40105 ? 587 : 2525) << r.dump();
        seen.insert(port);
    }
    EXPECT_EQ(seen, (std::set<int>{40104, 40105, 40106}));
}

// output.types leaves types out in the worker: they are never rendered.
TEST(InspectorRecords, OnlyTheTypesAskedAreRendered) {
    for (const auto type : {output::EveType::Smtp, output::EveType::Flow}) {
        config::Config c;
        c.eve_types = 1u << static_cast<unsigned>(type);
        Engine e(c);
        e.feed(plan(smtp("hello"), 40107));
        e.finish();
        ASSERT_FALSE(e.out.records.empty());
        for (const auto &r : e.out.records) EXPECT_EQ(r["event_type"], output::eve_type_name(type)) << r.dump();
    }
}

}  // namespace
}  // namespace postern::engine
