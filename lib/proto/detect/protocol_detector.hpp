// Identifies the application protocol of a TCP session from its content, on any port: SMTP, POP3
// and IMAP greetings and first commands, TLS handshakes (with the SNI of the ClientHello, for
// implicit TLS on 465/993/995 or anywhere else). The worker feeds it the first bytes of each
// direction until done(), then creates the matching parser. Fixed size, no heap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proto/events.hpp"
#include "proto/protocol.hpp"
#include "stream/direction.hpp"
#include "util/named_enum.hpp"

namespace postern::proto {

#define POSTERN_CONFIDENCES(X) X(None, "none") X(Low, "low") X(Medium, "medium") X(High, "high")
POSTERN_NAMED_ENUM(Confidence, POSTERN_CONFIDENCES);
constexpr std::string_view confidence_name(Confidence c) { return util::enum_name(kConfidenceNames, c, "none"); }

struct Detection {
    Protocol protocol = Protocol::Unknown;
    Confidence confidence = Confidence::None;
    std::string_view sni;  // TLS ClientHello server name; valid while the detector lives
};

// What the first bytes of one direction say on their own.
Detection detect_server_start(std::string_view bytes);  // greeting, TLS ServerHello
Detection detect_client_start(std::string_view bytes);  // first command, TLS ClientHello

// The mail protocol a well-known mail port is for, in cleartext (25/587/2525, 110, 143) or
// inside TLS (465 SMTPS, 993 IMAPS, 995 POP3S); Unknown otherwise.
Protocol mail_port_protocol(uint16_t server_port);
// The mail protocol a TLS session on a well-known implicit-TLS port carries; Unknown otherwise.
Protocol implicit_tls_protocol(uint16_t server_port);

class ProtocolDetector {
public:
    static constexpr size_t kClientBytes = 4096;  // room for a large ClientHello
    static constexpr size_t kServerBytes = 512;

    // With a sink, the SNI is reported as Field::TlsSni once found.
    explicit ProtocolDetector(EventSink *sink = nullptr) : sink_(sink) {}

    // The session was picked up mid-stream (no handshake captured): every line is read, not
    // only the first (midstream_lines.hpp), and a side is settled by a verdict, a full buffer or
    // kMidstreamLines lines. Set before the first bytes; reset() clears it.
    void set_midstream(uint16_t server_port) { midstream_ = true, server_port_ = server_port; }
    static constexpr size_t kMidstreamLines = 16;

    // The next bytes of one direction. Returns the verdict so far.
    Detection on_data(stream::Direction dir, const uint8_t *data, size_t len);

    // A verdict that more bytes will not change: high confidence, or both directions seen
    // enough (a line, a TLS record, or a full buffer).
    bool done() const;
    Detection result() const;
    void reset();
    // The first bytes kept of one direction, for replaying them into the chosen parser.
    std::string_view buffered(stream::Direction dir) const {
        return dir == stream::Direction::ToServer ? std::string_view(client_, sides_[0].len)
                                                  : std::string_view(server_, sides_[1].len);
    }

private:
    struct Side {
        Detection verdict;
        size_t len = 0;
        bool settled = false;  // a whole line or record was seen, or the buffer is full
    };

    void evaluate(stream::Direction dir);

    EventSink *sink_;
    char client_[kClientBytes];
    char server_[kServerBytes];
    Side sides_[2];
    bool sni_reported_ = false;
    bool midstream_ = false;
    uint16_t server_port_ = 0;
};

}  // namespace postern::proto
