// What the SMTP, POP3 and IMAP parsers do alike for one TCP session, so that each parser holds
// only its protocol (as Suricata's app-layer parsers share their stream plumbing):
//  - the calls the dataplane makes (on_data, on_gap, on_end) and the bookkeeping per direction:
//    bytes counted, gaps counted and flagged, each side ended once;
//  - anomalies, counted and reported once per transaction (AnomalyReporter);
//  - STARTTLS: once the server accepts the upgrade the bytes are TLS records, walked and counted
//    but not parsed, until TLS breaks and what follows is cleartext again (TlsUpgrade); IMAP's
//    COMPRESS, after which nothing is parsed at all.
//
// A parser derives from LineSession<ItsParser, ItsAnomaly, ItsStats>, declares `friend
// LineSession;` and provides:
//   void client_data(ByteSpan in);                  cleartext bytes from the client
//   void server_data(ByteSpan in);                  cleartext bytes from the server
//   void after_gap(stream::Direction, uint32_t);    bytes were lost while parsing: resynchronise
//   void after_end(stream::Direction);              that side ended (called once per side)
//   bool server_line_open() const;                  a server line is begun and not yet ended
//   void input_done();                              the bytes of this on_data call go away now
//   MimeParser mime_;                               the parser of the messages it carries
// and calls server_line_done() after each server line event.
// Its Anomaly enum has StarttlsCleartextContinues and StreamGap; its Stats derive from
// LineSessionStats<Anomaly>. No heap, no virtual calls: the parser object keeps a fixed size.
#pragma once

#include <cstddef>
#include <cstdint>

#include "proto/common/anomaly_reporter.hpp"
#include "proto/common/byte_span.hpp"
#include "proto/common/tls_upgrade.hpp"
#include "proto/events.hpp"
#include "proto/protocol.hpp"
#include "stream/direction.hpp"

namespace postern::proto {

struct MimeStats;  // mime/mime_parser.hpp

// The counters every mail session keeps; a parser's stats add their own.
template <class Anomaly>
struct LineSessionStats {
    uint64_t bytes[2] = {};  // by stream::index(direction)
    uint64_t opaque_bytes[2] = {};  // not parsed: TLS records after STARTTLS, a compressed stream
    uint64_t commands = 0;
    uint64_t transactions = 0;
    uint64_t messages = 0;  // sent, fetched or appended
    uint64_t auth_responses = 0;  // SASL responses
    uint64_t gaps = 0;
    uint64_t gap_bytes = 0;
    // Bounds hit.
    uint64_t pending_commands_dropped = 0;
    uint64_t strings_truncated = 0;  // a transaction's strings did not all fit
    uint64_t anomalies[static_cast<size_t>(Anomaly::Count)] = {};
};

template <class Parser, class Anomaly, class Stats>
class LineSession {
public:
    LineSession(const LineSession &) = delete;
    LineSession &operator=(const LineSession &) = delete;

    // Bytes of one direction, in stream order.
    void on_data(stream::Direction dir, const uint8_t *data, size_t len) {
        stats_.bytes[stream::index(dir)] += len;
        read(dir, {data, len});
        parser().input_done();  // nothing may point into these bytes after this call
    }

    // `len` bytes of one direction were lost.
    void on_gap(stream::Direction dir, uint32_t len) {
        ++stats_.gaps;
        stats_.gap_bytes += len;
        if (!parsing()) return;  // nothing is parsed any more: a lost TLS record changes nothing
        anomaly(Anomaly::StreamGap);
        parser().after_gap(dir, len);
        // The end of the accepting line may be in what was lost: upgrade now rather than wait.
        if (dir == stream::Direction::ToClient && pending_upgrade_ != Upgrade::None) force_upgrade();
    }

    // The direction ended (FIN, RST, flow timeout); the parser flushes it once, later calls are
    // ignored. Call it for both directions when the flow goes.
    void on_end(stream::Direction dir) {
        bool &ended = ended_[stream::index(dir)];
        if (ended) return;
        ended = true;
        parser().after_end(dir);
    }

    bool encrypted() const { return tls_.active(); }
    // Upgraded, and both sides have sent TLS records since (a few: hellos, key exchange, finished).
    bool tls_established() const { return tls_.established(); }
    bool compressed() const { return compressed_; }
    const Stats &stats() const { return stats_; }
    const MimeStats &mime_stats() const { return static_cast<const Parser &>(*this).mime_.stats(); }

protected:
    explicit LineSession(EventSink &sink) : sink_(sink) {}
    ~LineSession() = default;

    // Bytes are still read as the protocol's lines (no TLS, no compression).
    bool parsing() const { return !tls_.active() && !compressed_; }
    // An accepted upgrade waits for the end of a server line (server_line_done).
    bool upgrade_pending() const { return pending_upgrade_ != Upgrade::None; }
    bool ended(stream::Direction dir) const { return ended_[stream::index(dir)]; }
    // Bytes came from that side: the checks that need both sides in view (a one-sided capture
    // never sees an answer) look at this.
    bool seen(stream::Direction dir) const { return stats_.bytes[stream::index(dir)] > 0; }

    void anomaly(Anomaly a) { anomalies_.report(a); }

    // The id the transaction being read will get (EVE tx_id), for what is reported before it ends
    // (a message's files).
    uint32_t next_tx_id() const { return static_cast<uint32_t>(stats_.transactions); }

    // Hands a finished transaction to the sink, numbered in session order; the next transaction
    // reports its anomalies afresh.
    template <class Transaction>
    void emit_transaction(Transaction &tx) {
        tx.id = static_cast<uint32_t>(stats_.transactions);
        sink_.on_transaction(tx);
        ++stats_.transactions;
        anomalies_.reset();
    }

    // The server accepted STARTTLS (POP3: STLS): the bytes after that server line are TLS records.
    void start_tls(Protocol protocol) {
        sink_.on_starttls(protocol);
        upgrade(Upgrade::Tls);
    }
    // The server accepted COMPRESS (IMAP, RFC 4978): nothing after that server line can be read.
    void start_compression() { upgrade(Upgrade::Compression); }

    // The parser calls this after each server line event. An upgrade accepted by the head of a
    // line cut at the limit starts after the rest of that line: a real client reads the whole line
    // before it starts TLS, so the rest is still text (and where a span ends must not matter).
    void server_line_done() {
        if (pending_upgrade_ != Upgrade::None && !parser().server_line_open()) force_upgrade();
    }

    // Bytes of `dir` go to the parser's side while parsing. Otherwise they are opaque: counted,
    // and after STARTTLS walked as TLS records; where TLS breaks, the rest is cleartext again.
    void read(stream::Direction dir, ByteSpan in) {
        uint64_t &opaque = stats_.opaque_bytes[stream::index(dir)];
        if (compressed_) {
            opaque += in.size;
        } else if (tls_.active()) {
            // Not TLS after all is what a server that "upgraded" and carried on in cleartext receives.
            tls_.walk(
                dir, in, opaque, [&] { anomaly(Anomaly::StarttlsCleartextContinues); },
                [&](ByteSpan cleartext) { read(dir, cleartext); });
        } else if (dir == stream::Direction::ToServer) {
            parser().client_data(in);
        } else {
            parser().server_data(in);
        }
    }

    EventSink &sink_;
    Stats stats_;

private:
    Parser &parser() { return static_cast<Parser &>(*this); }

    enum class Upgrade : uint8_t { None, Tls, Compression };

    void upgrade(Upgrade u) {
        pending_upgrade_ = u;
        if (!parser().server_line_open()) force_upgrade();
    }
    void force_upgrade() {
        const Upgrade u = pending_upgrade_;
        pending_upgrade_ = Upgrade::None;
        if (u == Upgrade::Tls) tls_.begin();
        if (u == Upgrade::Compression) compressed_ = true;
    }

    AnomalyReporter<Anomaly> anomalies_{sink_, stats_.anomalies};
    TlsUpgrade tls_;
    Upgrade pending_upgrade_ = Upgrade::None;
    bool compressed_ = false;
    bool ended_[2] = {false, false};
};

}  // namespace postern::proto
