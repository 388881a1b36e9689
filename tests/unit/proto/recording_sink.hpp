// Test helpers: an EventSink that records every event as a string, and ways to feed a
// transcript whole, split at a byte boundary, or one byte at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "output/json_writer.hpp"
#include "proto/events.hpp"
#include "proto/smtp/smtp_eve.hpp"
#include "proto/smtp/smtp_transaction.hpp"
#include "stream/direction.hpp"

namespace postern::proto::test {

class RecordingSink : public EventSink {
public:
    std::vector<std::string> events;
    std::vector<std::string> transactions;  // EVE JSON of each SmtpTransaction

    void on_anomaly(const AnomalyEvent &a) override { events.push_back("anomaly " + std::string(a.name)); }
    void on_field(Field f, std::string_view v) override {
        events.push_back("field " + std::string(field_name(f)) + "=" + std::string(v));
    }
    void on_header(std::string_view n, std::string_view v) override {
        events.push_back("header " + std::string(n) + "=" + std::string(v));
    }
    void on_command(const CommandEvent &c) override { events.push_back("command " + std::string(c.name)); }
    void on_reply(Protocol, std::string_view s) override { events.push_back("reply " + std::string(s)); }
    void on_auth(Protocol, std::string_view mech, std::string_view user, AuthResult r) override {
        events.push_back("auth " + std::string(mech) + " user=" + std::string(user) + " " +
                         std::string(auth_result_name(r)));
    }
    void on_starttls(Protocol) override { events.push_back("starttls"); }
    void on_file(const FileEvent &f) override {
        std::string e = "file " + std::string(f.message ? "message" : f.filename) + " size=" + std::to_string(f.size) +
                        (f.gap ? " gap" : "") + " hashes=" + std::to_string(f.digests.present);
        for (uint8_t b : f.digests.md5) e += static_cast<char>('a' + (b & 15));
        files.push_back(e);
        events.push_back(e);
    }
    std::vector<std::string> files;
    void on_transaction(const SmtpTransaction &tx) override {
        output::FixedJsonWriter<32768> w;
        w.begin_object();
        write_smtp_transaction(w, tx);
        w.end_object();
        transactions.emplace_back(w.view());
        events.push_back("transaction " + std::string(w.view()));
    }

    bool has(std::string_view event) const {
        for (const auto &e : events)
            if (e == event) return true;
        return false;
    }
    size_t count_prefix(std::string_view prefix) const {
        size_t n = 0;
        for (const auto &e : events)
            if (std::string_view(e).substr(0, prefix.size()) == prefix) ++n;
        return n;
    }
    std::string dump() const {
        std::string s;
        for (const auto &e : events) s += e + "\n";
        return s;
    }
};

struct Step {
    enum Kind { Data, Gap, End } kind = Data;
    stream::Direction dir = stream::Direction::ToServer;
    std::string bytes;  // Data
    uint32_t gap = 0;  // Gap
};

inline Step client(std::string s) { return {Step::Data, stream::Direction::ToServer, std::move(s), 0}; }
inline Step server(std::string s) { return {Step::Data, stream::Direction::ToClient, std::move(s), 0}; }
inline Step gap(stream::Direction d, uint32_t n) { return {Step::Gap, d, {}, n}; }
inline Step end(stream::Direction d) { return {Step::End, d, {}, 0}; }
// A TLS record (RFC 8446 §5.1) of `type` (22 handshake, 23 application data) holding `body`: what
// follows an accepted STARTTLS on the wire.
inline std::string tls_record(uint8_t type, std::string_view body) {
    std::string r{static_cast<char>(type), '\x03', '\x03', static_cast<char>(body.size() >> 8),
                  static_cast<char>(body.size() & 0xFF)};
    return r.append(body);
}

inline std::vector<Step> with_ends(std::vector<Step> steps) {
    steps.push_back(end(stream::Direction::ToServer));
    steps.push_back(end(stream::Direction::ToClient));
    return steps;
}

// Feeds steps to a parser with on_data/on_gap/on_end. Data steps are cut into pieces: at
// `split` (a global byte offset over all data steps; SIZE_MAX: no cut) or every byte.
template <typename Parser>
void feed(Parser &p, const std::vector<Step> &steps, size_t split = SIZE_MAX, bool bytewise = false) {
    size_t offset = 0;
    for (const Step &s : steps) {
        switch (s.kind) {
        case Step::Gap: p.on_gap(s.dir, s.gap); break;
        case Step::End: p.on_end(s.dir); break;
        case Step::Data: {
            // Copy into an exact-size heap block so ASan sees reads past the span.
            std::vector<uint8_t> buf(s.bytes.begin(), s.bytes.end());
            const size_t n = buf.size();
            if (bytewise) {
                for (size_t i = 0; i < n; ++i) {
                    std::vector<uint8_t> one(1, buf[i]);
                    p.on_data(s.dir, one.data(), 1);
                }
            } else if (split > offset && split < offset + n) {
                const size_t k = split - offset;
                std::vector<uint8_t> a(buf.begin(), buf.begin() + static_cast<long>(k));
                std::vector<uint8_t> b(buf.begin() + static_cast<long>(k), buf.end());
                p.on_data(s.dir, a.data(), a.size());
                p.on_data(s.dir, b.data(), b.size());
            } else {
                p.on_data(s.dir, buf.data(), n);
            }
            offset += n;
            break;
        }
        }
    }
}

inline size_t total_bytes(const std::vector<Step> &steps) {
    size_t n = 0;
    for (const Step &s : steps) n += s.bytes.size();
    return n;
}

}  // namespace postern::proto::test
