#include "inspect/app_layer.hpp"

#include "net/mail_ports.hpp"
#include "proto/session_anomaly.hpp"

namespace postern::inspect {

using proto::Protocol;
using stream::Direction;

struct AppLayer::Slot {
    explicit Slot(EveEventSink &sink) : detector(&sink) {}
    proto::ProtocolDetector detector;
    std::variant<std::monostate, proto::SmtpParser, proto::Pop3Parser, proto::ImapParser> parser;

    // Calls fn(parser) on the session's parser, if it has one.
    template <class Fn>
    void with_parser(Fn &&fn) {
        std::visit(
            [&](auto &p) {
                if constexpr (!std::is_same_v<std::decay_t<decltype(p)>, std::monostate>) fn(p);
            },
            parser);
    }
    bool ended[2] = {false, false};
    AppFlowState *owner = nullptr;  // the flow holding the slot (flow-table storage never moves)
    uint64_t first_ns = 0, last_ns = 0;  // capture time of its first and latest payload
    bool spoke[2] = {false, false};
    rules::MatchState match;  // the rules' partial matches for this session
    detect::SessionState detect;  // the behavioural detectors' counts for this session
};

AppLayer::AppLayer(const AppLimits &limits, EveEventSink &sink, proto::EventSink &parser_events, rules::MatchingSink *rules,
                   detect::DetectingSink *detectors)
    : limits_(limits), sink_(sink), parser_events_(parser_events), rules_(rules), detectors_(detectors) {
    slots_.reserve(limits.max_sessions);
    free_.reserve(limits.max_sessions);
    for (uint32_t i = 0; i < limits.max_sessions; ++i) {
        slots_.push_back(std::make_unique<Slot>(sink));
        free_.push_back(limits.max_sessions - 1 - i);
    }
}

AppLayer::~AppLayer() = default;

void AppLayer::on_data(AppFlowState &f, Direction dir, const uint8_t *data, size_t len) {
    if (len == 0) return;
    const uint64_t now = sink_.flow().ts_ns;
    if (f.status == AppStatus::None) {
        if (free_.empty() && !reclaim(now)) {
            ++sink_.counters().sessions_exhausted;
            f.status = AppStatus::NotInspected;
            return;
        }
        f.slot = free_.back();
        free_.pop_back();
        ++in_use_;
        sink_.counters().slots_in_use.set(in_use_);
        Slot &taken = *slots_[f.slot];
        taken.owner = &f;
        taken.first_ns = now;
        taken.spoke[0] = taken.spoke[1] = false;
        f.status = AppStatus::Detecting;
        f.first_dir = static_cast<int8_t>(stream::index(dir));
        f.server_port = sink_.flow().endpoints.dest_port;
        slots_[f.slot]->match.begin(Protocol::Unknown);
        slots_[f.slot]->detect.reset(Protocol::Unknown, f.server_port);
        slots_[f.slot]->detect.midstream = sink_.flow().midstream;
        if (sink_.flow().midstream) slots_[f.slot]->detector.set_midstream(f.server_port);
    }
    if (f.slot == kNoSlot) return;
    Slot &s = enter(f.slot);
    s.last_ns = now;
    s.spoke[stream::index(dir)] = true;
    if (f.status == AppStatus::Detecting) return detect(f, s, dir, data, len);
    s.with_parser([&](auto &p) {
        p.on_data(dir, data, len);
        f.tls_established = p.tls_established();
    });
}

void AppLayer::detect(AppFlowState &f, Slot &s, Direction dir, const uint8_t *data, size_t len) {
    f.seen[stream::index(dir)] += static_cast<uint32_t>(len);
    s.detector.on_data(dir, data, len);
    if (s.detector.done()) conclude(f, s);
}

namespace {

// The protocols a well-known mail port is for (implicit TLS ports carry TLS).
bool expected_on_port(Protocol p, uint16_t port) {
    switch (net::mail_service(port)) {
    case net::MailService::Smtp: return p == Protocol::Smtp;
    case net::MailService::Pop3: return p == Protocol::Pop3;
    case net::MailService::Imap: return p == Protocol::Imap;
    case net::MailService::None: return false;
    default: return p == Protocol::Tls;  // the implicit-TLS ports
    }
}

bool is_mail_port(uint16_t port) { return net::mail_service(port) != net::MailService::None; }

}  // namespace

// Settles the protocol with what the detector has seen, then parses, marks or frees. A mail port
// that carries something else, and mail on a port that is not its own, are reported.
void AppLayer::conclude(AppFlowState &f, Slot &s) {
    const proto::Detection d = s.detector.result();
    if (d.protocol == Protocol::Unknown || d.confidence == proto::Confidence::None) {
        ++sink_.counters().detection_failed;
        if (is_mail_port(f.server_port)) parser_events_.on_anomaly(anomaly_event(proto::AppLayerAnomaly::NonMailOnMailPort));
        f.status = AppStatus::Failed;
        free_slot(f);
        return;
    }
    if (d.protocol != Protocol::Tls && !expected_on_port(d.protocol, f.server_port)) {
        sink_.set_protocol(d.protocol);
        parser_events_.on_anomaly(anomaly_event(proto::AppLayerAnomaly::MailOnNonstandardPort));
    } else if (d.protocol == Protocol::Tls && is_mail_port(f.server_port) && !expected_on_port(d.protocol, f.server_port)) {
        parser_events_.on_anomaly(anomaly_event(proto::AppLayerAnomaly::TlsWithoutStarttlsOnMailPort));
    }
    f.protocol = d.protocol;
    sink_.set_protocol(d.protocol);
    s.match.set_protocol(d.protocol);
    s.detect.protocol = d.protocol;
    ++sink_.counters().sessions[static_cast<size_t>(d.protocol)];
    if (d.protocol == Protocol::Tls) {
        f.status = AppStatus::Opaque;
        sink_.write_tls_record(d.sni);
        free_slot(f);
        return;
    }
    start_parser(f, s);
}

// Builds the parser and replays the bytes the detector kept, the direction that spoke first
// first (mail servers greet first; a capture that starts mid-session may show the client first).
void AppLayer::start_parser(AppFlowState &f, Slot &s) {
    if (f.protocol == Protocol::Smtp) {
        s.parser.emplace<proto::SmtpParser>(parser_events_, limits_.smtp);
    } else if (f.protocol == Protocol::Pop3) {
        s.parser.emplace<proto::Pop3Parser>(parser_events_, limits_.pop3);
    } else {
        s.parser.emplace<proto::ImapParser>(parser_events_, limits_.imap);
    }
    f.status = AppStatus::Parsing;
    const Direction first = f.first_dir == 1 ? Direction::ToClient : Direction::ToServer;
    for (Direction d : {first, stream::opposite(first)}) {
        const std::string_view kept = s.detector.buffered(d);
        const uint32_t seen = f.seen[stream::index(d)];
        s.with_parser([&](auto &parser) {
            if (!kept.empty()) parser.on_data(d, reinterpret_cast<const uint8_t *>(kept.data()), kept.size());
            // Bytes beyond what the detector could keep are lost to the parser.
            if (seen > kept.size()) parser.on_gap(d, seen - static_cast<uint32_t>(kept.size()));
            f.tls_established = parser.tls_established();
        });
    }
}

void AppLayer::on_gap(AppFlowState &f, Direction dir, uint32_t len) {
    if (f.slot == kNoSlot) return;
    Slot &s = enter(f.slot);
    if (f.status == AppStatus::Detecting) {
        // Bytes after a hole must not be joined to the kept ones: decide now, then pass the gap on.
        conclude(f, s);
        if (f.slot == kNoSlot) return;
    }
    s.with_parser([&](auto &p) {
        p.on_gap(dir, len);
        f.tls_established = p.tls_established();
    });
}

void AppLayer::on_end(AppFlowState &f, Direction dir) {
    if (f.slot == kNoSlot) return;
    Slot &s = enter(f.slot);
    if (s.ended[stream::index(dir)]) return;
    s.ended[stream::index(dir)] = true;
    s.with_parser([&](auto &p) { p.on_end(dir); });
}

void AppLayer::report_anomaly(AppFlowState &f, const proto::AnomalyEvent &anomaly) {
    if (f.slot != kNoSlot) {
        enter(f.slot);
    } else {
        if (rules_) rules_->set_session(nullptr);
        if (detectors_) detectors_->set_session(nullptr);
    }
    parser_events_.on_anomaly(anomaly);
}

void AppLayer::release(AppFlowState &f, const detect::SessionEnd *end) {
    if (f.slot != kNoSlot && f.status == AppStatus::Detecting) conclude(f, enter(f.slot));  // ended before identified
    if (f.slot == kNoSlot) {
        // TLS sessions gave their slot back when identified: their summary still counts.
        if (detectors_ && end && f.status == AppStatus::Opaque) detectors_->finish_session(nullptr, *end);
        return;
    }
    on_end(f, Direction::ToServer);
    on_end(f, Direction::ToClient);
    if (detectors_ && end && f.status == AppStatus::Parsing) detectors_->finish_session(&enter(f.slot).detect, *end);
    free_slot(f);
}

AppLayer::Slot &AppLayer::enter(uint32_t slot) {
    Slot &s = *slots_[slot];
    if (rules_) rules_->set_session(&s.match);
    if (detectors_) detectors_->set_session(&s.detect);
    return s;
}

// Idle and one-sided sessions must not pin every slot (a thousand silent connections would make
// every later session uninspected). The taken session is told when its flow ends.
bool AppLayer::reclaim(uint64_t now_ns) {
    uint32_t victim = kNoSlot;
    uint64_t oldest = UINT64_MAX;
    for (uint32_t i = 0; i < slots_.size(); ++i) {
        const Slot &s = *slots_[i];
        if (!s.owner) continue;
        const bool idle = now_ns >= s.last_ns + limits_.idle_timeout_ns;
        const bool one_sided = !(s.spoke[0] && s.spoke[1]) && now_ns >= s.first_ns + limits_.one_sided_timeout_ns;
        if ((idle || one_sided) && s.last_ns < oldest) oldest = s.last_ns, victim = i;
    }
    if (victim == kNoSlot) return false;
    AppFlowState &owner = *slots_[victim]->owner;
    free_slot(owner);  // its parser's state is dropped: what it would still say belongs to its own flow
    owner.status = AppStatus::Reclaimed;
    ++reclaimed_;
    ++sink_.counters().slots_reclaimed;
    return true;
}

void AppLayer::free_slot(AppFlowState &f) {
    Slot &s = *slots_[f.slot];
    s.owner = nullptr;
    s.parser.emplace<std::monostate>();
    s.detector.reset();
    s.ended[0] = s.ended[1] = false;
    if (rules_) rules_->set_session(nullptr);
    if (detectors_) detectors_->set_session(nullptr);
    free_.push_back(f.slot);
    --in_use_;
    sink_.counters().slots_in_use.set(in_use_);
    f.slot = kNoSlot;
}

}  // namespace postern::inspect
