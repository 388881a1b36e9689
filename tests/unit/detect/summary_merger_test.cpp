// The summaries of several workers reach the history detectors in time order, whatever the pace
// of each worker; a lagging worker holds back only what it could still precede; the bound holds.
#include <gtest/gtest.h>

#include <vector>

#include "detect/summary_merger.hpp"

namespace postern::detect {
namespace {

SessionSummary at(uint64_t decided, uint64_t flow_id = 0) {
    SessionSummary s;
    s.decided_ns = decided;
    s.start_ns = decided - 1;
    s.flow_id = flow_id ? flow_id : decided;
    return s;
}

std::vector<uint64_t> released(SummaryMerger &m) {
    std::vector<uint64_t> out;
    m.release([&](const SessionSummary &s, uint8_t) { out.push_back(s.decided_ns); });
    return out;
}

TEST(SummaryMerger, WaitsForTheSlowestWorkerThenMergesInTime) {
    SummaryMerger m(2, 1000);
    // Worker 0 runs ahead: its sessions at 10, 30, 50. Worker 1 has only reached 15.
    for (uint64_t t : {10, 30, 50}) m.add(0, at(t));
    m.advance(0, 60);
    m.add(1, at(12));
    m.advance(1, 15);
    EXPECT_EQ(released(m), (std::vector<uint64_t>{10, 12}));  // 30 could still be preceded by worker 1
    EXPECT_EQ(m.pending(), 2u);
    m.add(1, at(20));
    m.add(1, at(40));
    m.advance(1, 45);
    EXPECT_EQ(released(m), (std::vector<uint64_t>{20, 30, 40}));
    m.finish(1);
    EXPECT_EQ(released(m), (std::vector<uint64_t>{50}));
    EXPECT_EQ(m.pending(), 0u);
}

TEST(SummaryMerger, AnIdleWorkerWithAnAdvancingClockBlocksNothing) {
    SummaryMerger m(3, 1000);
    m.add(0, at(100));
    m.advance(0, 100);
    m.advance(1, 200);
    EXPECT_TRUE(released(m).empty()) << "worker 2 has said nothing yet";
    m.advance(2, 100);
    EXPECT_TRUE(released(m).empty()) << "worker 2 could still send one decided at 100";
    m.advance(2, 101);
    EXPECT_EQ(released(m), (std::vector<uint64_t>{100}));
}

TEST(SummaryMerger, TiesAreOrderedByStartThenFlow) {
    SummaryMerger m(2, 1000);
    m.add(1, at(5, 2));
    m.add(0, at(5, 1));
    m.finish(0);
    m.finish(1);
    std::vector<uint64_t> flows;
    m.release([&](const SessionSummary &s, uint8_t) { flows.push_back(s.flow_id); });
    EXPECT_EQ(flows, (std::vector<uint64_t>{1, 2}));
}

TEST(SummaryMerger, TheBoundReleasesTheEarliestAndCountsIt) {
    SummaryMerger m(2, 3);
    for (uint64_t t = 1; t <= 5; ++t) m.add(0, at(t));
    m.advance(0, 10);  // worker 1 never speaks
    EXPECT_EQ(released(m), (std::vector<uint64_t>{1, 2}));
    EXPECT_EQ(m.overflows(), 2u);
    EXPECT_EQ(m.pending(), 3u);
    std::vector<uint64_t> rest;
    m.release_all([&](const SessionSummary &s, uint8_t) { rest.push_back(s.decided_ns); });
    EXPECT_EQ(rest, (std::vector<uint64_t>{3, 4, 5}));
}

}  // namespace
}  // namespace postern::detect
