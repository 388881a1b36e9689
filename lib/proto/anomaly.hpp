// An anomaly as the code sees it: which layer reported it, which one it is, and the kind of
// thing it says, so detectors and counters branch on ids, never on names. The name is only
// for output: EVE anomaly.event, the postern_anomalies_total label, docs/anomalies.md.
#pragma once

#include <cstdint>
#include <string_view>

namespace postern::proto {

enum class AnomalySource : uint8_t { Smtp, Pop3, Imap, Mime, AppLayer, Stream };

// What detectors look at across protocols (detect/nonconformance.cpp, detect/ports.cpp).
enum class AnomalyKind : uint8_t {
    Other,
    LineTooLong,  // a command, reply, text or header line over its limit
    InvalidReply,  // a reply that breaks the grammar, or one no command asked for
    StarttlsCleartext,  // the upgrade was accepted and cleartext went on
    StreamGap,  // bytes of the stream were lost
    NonMailOnMailPort,
    MailOnOddPort,
    TlsOnPlainMailPort,
    OverlapDifferentData,  // a TCP retransmission disagreeing with bytes already held
};

struct AnomalyEvent {
    AnomalySource source;
    uint8_t code;  // the value of the source's enum
    AnomalyKind kind;
    std::string_view name;  // e.g. "smtp.bare_lf"
};

}  // namespace postern::proto
