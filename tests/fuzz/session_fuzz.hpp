// The body shared by the POP3 and IMAP session fuzz targets: the input is a script of steps (a
// control byte picks the direction and the step: a data chunk of the next byte's length, a gap,
// an end). Each script runs twice, the second time with consecutive chunks of one direction merged
// into one span; the events must be the same (split invariance) or the target traps.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_sink.hpp"
#include "output/json_writer.hpp"

namespace postern::fuzz {

using postern::stream::Direction;

// Touches every view (ASan sees stale ones), renders transactions as EVE, and keeps a hash of
// every event in order.
template <class Transaction, void (*Render)(output::JsonWriter &, const Transaction &)>
class RecordingSink : public TouchingSink {
public:
    std::vector<uint64_t> log;

    void on_anomaly(const proto::AnomalyEvent &a) override { TouchingSink::on_anomaly(a), record('a', a.name); }
    void on_field(proto::Field f, std::string_view v) override {
        TouchingSink::on_field(f, v), record(static_cast<char>('F' + static_cast<int>(f)), v);
    }
    void on_header(std::string_view n, std::string_view v) override {
        TouchingSink::on_header(n, v), record('h', n), record('v', v);
    }
    void on_command(const proto::CommandEvent &c) override { TouchingSink::on_command(c), record('c', c.name); }
    void on_reply(proto::Protocol p, std::string_view v) override { TouchingSink::on_reply(p, v), record('r', v); }
    void on_auth(proto::Protocol p, std::string_view m, std::string_view u, proto::AuthResult r) override {
        TouchingSink::on_auth(p, m, u, r), record('m', m), record(static_cast<char>('0' + static_cast<int>(r)), u);
    }
    void on_starttls(proto::Protocol) override { record('s', {}); }
    void on_file(const proto::FileEvent &f) override {  // digests too must not depend on the segments
        TouchingSink::on_file(f);
        record('f', f.filename);
        record(static_cast<char>('0' + f.digests.present), {reinterpret_cast<const char *>(f.digests.md5), 16});
    }
    using TouchingSink::on_transaction;
    void on_transaction(const Transaction &tx) override {
        output::FixedJsonWriter<65536> w;
        w.begin_object();
        Render(w, tx);
        w.end_object();
        record('t', w.view());
    }

private:
    void record(char kind, std::string_view s) {
        uint64_t h = 1469598103934665603ull ^ static_cast<unsigned char>(kind);
        for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
        log.push_back(h ^ s.size());
    }
};

struct Step {
    unsigned op;  // 0 gap, 1 end, else data
    Direction dir;
    const uint8_t *data;
    size_t size;  // data length, or gap length
};

template <class Parser, class Sink, class Limits>
std::vector<uint64_t> run(const std::vector<Step> &steps, const Limits &limits, bool merge) {
    Sink sink;
    Parser parser(sink, limits);
    std::vector<uint8_t> joined;
    for (size_t k = 0; k < steps.size(); ++k) {
        const Step &s = steps[k];
        if (s.op == 0) {
            parser.on_gap(s.dir, static_cast<uint32_t>(s.size));
        } else if (s.op == 1) {
            parser.on_end(s.dir);
        } else if (!merge) {
            parser.on_data(s.dir, s.data, s.size);
        } else {
            joined.assign(s.data, s.data + s.size);
            while (k + 1 < steps.size() && steps[k + 1].op >= 2 && steps[k + 1].dir == s.dir) {
                ++k;
                joined.insert(joined.end(), steps[k].data, steps[k].data + steps[k].size);
            }
            parser.on_data(s.dir, joined.data(), joined.size());
        }
    }
    parser.on_end(Direction::ToServer);
    parser.on_end(Direction::ToClient);
    return sink.log;
}

inline std::vector<Step> parse_script(const uint8_t *data, size_t size) {
    std::vector<Step> steps;
    size_t i = size > 0 ? 1 : 0;  // byte 0 chooses the limits
    while (i < size) {
        const uint8_t control = data[i++];
        const Direction dir = (control & 1) ? Direction::ToClient : Direction::ToServer;
        const unsigned op = (control >> 1) & 0x1F;
        const size_t arg = i < size ? data[i++] : 0;
        if (op < 2) {
            steps.push_back({op, dir, nullptr, arg});
        } else {
            const size_t n = arg + 1 < size - i ? arg + 1 : size - i;
            steps.push_back({op, dir, data + i, n});
            i += n;
        }
    }
    return steps;
}

// Runs the script split and merged; traps when the two event logs differ.
template <class Parser, class Sink, class Limits>
void check_split_invariance(const uint8_t *data, size_t size, const Limits &limits) {
    const std::vector<Step> steps = parse_script(data, size);
    if (run<Parser, Sink>(steps, limits, false) != run<Parser, Sink>(steps, limits, true)) __builtin_trap();
}

}  // namespace postern::fuzz
