// A worker's inspection engine in a test: synthesized sessions go through engine::Inspector
// packet by packet (as the dataplane worker feeds it, without DPDK), and the test sees each
// packet's verdict, the EVE records and the counters.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "engine/inspector.hpp"
#include "net/flow_key.hpp"
#include "rules/loader.hpp"
#include "synth/rng.hpp"
#include "synth/subnet.hpp"
#include "synth/tcp_session.hpp"
#include "../inspect/vector_output.hpp"

namespace postern::engine::test {

inline synth::FlowAddressing addr(uint16_t client_port, uint16_t server_port = 25) {
    synth::FlowAddressing a;
    a.client_ip = synth::subnet_host(*synth::parse_subnet("203.0.113.0/24"), 4);
    a.server_ip = synth::subnet_host(*synth::parse_subnet("198.51.100.0/24"), 1);
    a.client_port = client_port;
    a.server_port = server_port;
    return a;
}

// A session of small segments (64 bytes), so that verdicts fall between the commands.
inline synth::SessionPlan plan(const synth::Conversation &conv, uint16_t client_port, uint16_t server_port = 25,
                               uint64_t start_us = 1'700'000'000'000'000, synth::SessionOptions o = {},
                               const synth::FlowAddressing *a = nullptr) {
    if (o.mss == synth::SessionOptions{}.mss) o.mss = 64;
    synth::Rng rng(client_port);
    synth::SessionPlan p;
    synth::plan_session(a ? *a : addr(client_port, server_port), conv, o, start_us, rng, p);
    return p;
}

// An SMTP session that delivers one message with this subject, ended by the server.
inline synth::Conversation smtp(const std::string &subject) {
    synth::Conversation c;
    c.server("220 mx.example ESMTP\r\n");
    c.client("EHLO pc.example\r\n");
    c.server("250-mx.example\r\n250 8BITMIME\r\n");
    c.client("MAIL FROM:<a@example.org>\r\n");
    c.server("250 OK\r\n");
    c.client("RCPT TO:<b@example.net>\r\n");
    c.server("250 OK\r\n");
    c.client("DATA\r\n");
    c.server("354 go ahead\r\n");
    c.client("From: a@example.org\r\nTo: b@example.net\r\nSubject: " + subject +
             "\r\n\r\nThe body of the message, long enough to take several segments of sixty-four "
             "bytes each before the terminating dot line arrives.\r\n.\r\n");
    c.server("250 2.0.0 queued as 4F2A\r\n");
    c.client("QUIT\r\n");
    c.server("221 bye\r\n");
    c.teardown = synth::Teardown::FinServer;
    return c;
}

// One planned frame with what the inspector made of it.
struct Fed {
    const synth::SessionPlan *plan = nullptr;
    synth::PlannedPacket packet;
    std::string payload;  // the L4 payload the frame carries
    Verdict verdict = Verdict::Forward;
    bool from_client() const { return packet.from == synth::Side::Client; }
};

class Engine final : private inspect::SummaryOutput {
public:
    // `rules`: the "rules" array of a rule file (empty: no rule set).
    explicit Engine(const config::Config &c, const std::string &rules = "") : config_(c) {
        if (!rules.empty()) {
            rules::LoadOptions o;
            o.run_tests = false;
            o.compile.scratch_slots = 1;
            rules::LoadReport r = rules::validate_rule_text(R"({"rules": [)" + rules + "]}", "test.json", o);
            for (const auto &d : r.diagnostics)
                if (d.severity == rules::Diagnostic::Severity::Error) ADD_FAILURE() << d.to_string();
            rules_ = r.set;
        }
        InspectorSetup s;
        s.config = &config_;
        s.port_names = &ports_;
        s.segment_ops = {nullptr, &retain, &release};
        s.records = &out;
        s.summaries = this;
        s.counters = &counters;
        inspector_ = std::make_unique<Inspector>(s);
        if (rules_) inspector_->bind_rules(rules_.get(), rules_->worker_scratch(0));
    }
    ~Engine() { finish(); }

    // Every frame of the plans, merged in time order (ties: plan order), one packet at a time.
    std::vector<Fed> feed(const std::vector<const synth::SessionPlan *> &plans) {
        std::vector<Fed> all;
        for (const auto *plan : plans)
            for (const auto &p : plan->packets) {
                Fed f;
                f.plan = plan, f.packet = p;
                const auto &bytes = plan->stream[synth::index(p.from)];
                if (p.len) f.payload.assign(bytes.begin() + p.offset, bytes.begin() + p.offset + p.len);
                all.push_back(std::move(f));
            }
        std::stable_sort(all.begin(), all.end(), [](const Fed &a, const Fed &b) { return a.packet.ts_us < b.packet.ts_us; });
        for (auto &f : all) f.verdict = packet(*f.plan, f.packet);
        return all;
    }
    std::vector<Fed> feed(const synth::SessionPlan &plan) { return feed(std::vector<const synth::SessionPlan *>{&plan}); }

    // Every flow ends: flow records written, every payload reference given back.
    void finish() {
        if (finished_) return;
        finished_ = true;
        inspector_->finish_all();
        for (const auto &b : buffers_) EXPECT_EQ(b.refs, 0) << "a payload buffer is still referenced";
    }

    inspect::test::VectorOutput out;
    WorkerCounters counters;

private:
    struct Buffer {
        std::vector<uint8_t> bytes;
        int refs = 1;
    };
    static void retain(void *, void *h) { ++static_cast<Buffer *>(h)->refs; }
    static void release(void *, void *h) { --static_cast<Buffer *>(h)->refs; }
    void push_summary(const detect::SessionSummary &) override {}

    Verdict packet(const synth::SessionPlan &plan, const synth::PlannedPacket &pp) {
        Buffer &b = buffers_.emplace_back();
        b.bytes.resize(synth::planned_frame_len(plan, pp));
        b.bytes.resize(synth::build_planned_frame(plan, pp, b.bytes.data()));
        Packet p;
        EXPECT_EQ(net::decode_packet(b.bytes.data(), b.bytes.size(), p.view), net::DecodeResult::Ok);
        p.frame = b.bytes.data();
        p.wire_len = static_cast<uint32_t>(b.bytes.size());
        p.ts_ns = pp.ts_us * 1000;
        p.hash = hasher_(p.view.tuple);
        stream::SegmentRef piece{&b, b.bytes.data() + p.view.payload_offset, p.view.payload_len};
        p.pieces = &piece;
        p.piece_count = p.view.payload_len ? 1 : 0;
        const Verdict v = inspector_->on_packet(p, p.ts_ns);
        release(nullptr, &b);  // the caller's reference: the inspector keeps its own on what it holds
        inspector_->expire(p.ts_ns);
        return v;
    }

    config::Config config_;
    std::vector<std::string> ports_ = {"test0"};
    std::shared_ptr<const rules::RuleSet> rules_;
    std::deque<Buffer> buffers_;
    net::FlowHasher hasher_{1};
    std::unique_ptr<Inspector> inspector_;
    bool finished_ = false;
};

}  // namespace postern::engine::test
