#include "inspect/eve_event_sink.hpp"

#include <optional>

#include "inspect/fileinfo_eve.hpp"

#include "proto/imap/imap_eve.hpp"
#include "proto/imap/imap_transaction.hpp"
#include "proto/pop3/pop3_eve.hpp"
#include "proto/pop3/pop3_transaction.hpp"
#include "proto/smtp/smtp_eve.hpp"
#include "proto/smtp/smtp_transaction.hpp"

namespace postern::inspect {

namespace {
size_t proto_index(proto::Protocol p) { return static_cast<size_t>(p) < kProtocols ? static_cast<size_t>(p) : 0; }
}  // namespace

void AnomalyCounts::add(std::string_view name) {
    const size_t n = used.load(std::memory_order_relaxed);
    for (size_t i = 0; i < n; ++i)
        if (names[i] == name) return ++counts[i], void();
    if (n == kMaxNames) return ++other, void();
    names[n] = name;  // parsers pass names from static tables: the view stays valid
    ++counts[n];
    used.store(n + 1, std::memory_order_release);
}

output::JsonWriter &EveEventSink::begin(output::EveType type) {
    output::JsonWriter &w = out_.begin_record();
    output::begin_eve_record(w, flow_.ts_ns, type, flow_.flow_id, flow_.in_iface, flow_.endpoints,
                             flow_.protocol == proto::Protocol::Unknown
                                 ? std::string_view()
                                 : proto::protocol_name(flow_.protocol));
    return w;
}

void EveEventSink::on_anomaly(const proto::AnomalyEvent &anomaly) {
    counters_.anomalies.add(anomaly.name);
    if (!writes(output::EveType::Anomaly)) return;
    output::JsonWriter &w = begin(output::EveType::Anomaly);
    w.key("anomaly");
    w.begin_object();
    // Suricata's anomaly types: what TCP did ("stream") or what the protocol did ("applayer"); a
    // gap is the protocol's problem, found by the stream layer.
    const bool tcp = anomaly.source == proto::AnomalySource::Stream;
    w.field("type", tcp ? "stream" : "applayer");
    w.field("event", anomaly.name);
    w.field("layer", tcp || anomaly.kind == proto::AnomalyKind::StreamGap ? "stream" : "proto_parser");
    if (flow_.protocol != proto::Protocol::Unknown) w.field("app_proto", proto::protocol_name(flow_.protocol));
    w.end_object();
    w.end_object();
    out_.commit_record(output::EveType::Anomaly);
}

void EveEventSink::on_field(proto::Field, std::string_view) {}  // rules (issue 4) match here

void EveEventSink::on_command(const proto::CommandEvent &command) {
    ++counters_.commands[proto_index(command.protocol)];
    counters_.commands_by_verb.add(command);
}

void EveEventSink::on_auth(proto::Protocol protocol, std::string_view, std::string_view,
                           proto::AuthResult result) {
    if (result == proto::AuthResult::Failure) ++counters_.auth_failures[proto_index(protocol)];
}

void EveEventSink::on_starttls(proto::Protocol protocol) { ++counters_.starttls[proto_index(protocol)]; }

template <class Render>
void EveEventSink::write_transaction(proto::Protocol protocol, output::EveType type, Render &&render,
                                     std::optional<uint32_t> tx_id) {
    ++counters_.transactions[proto_index(protocol)];
    if (!writes(type)) return;
    output::JsonWriter &w = begin(type);
    if (tx_id) w.field("tx_id", *tx_id);  // the fileinfo records of its message carry it too
    render(w);
    w.end_object();
    out_.commit_record(type);
}

void EveEventSink::on_transaction(const proto::SmtpTransaction &tx) {
    write_transaction(proto::Protocol::Smtp, output::EveType::Smtp,
                      [&](output::JsonWriter &w) { proto::write_smtp_transaction(w, tx); }, tx.id);
}

void EveEventSink::on_transaction(const proto::Pop3Transaction &tx) {
    write_transaction(proto::Protocol::Pop3, output::EveType::Pop3,
                      [&](output::JsonWriter &w) { proto::write_pop3_transaction(w, tx); }, tx.id);
}

void EveEventSink::on_transaction(const proto::ImapTransaction &tx) {
    write_transaction(proto::Protocol::Imap, output::EveType::Imap,
                      [&](output::JsonWriter &w) { proto::write_imap_transaction(w, tx); }, tx.id);
}

uint32_t EveEventSink::on_file_begin(const proto::FileBegin &file) {
    return files_ ? files_->begin(file.message, file.store_rule != 0, file.rules_may_select) : 0;
}

void EveEventSink::on_file_data(uint32_t handle, const uint8_t *data, size_t len) {
    if (files_) files_->data(handle, data, len);
}

void EveEventSink::on_file(const proto::FileEvent &file) {
    const uint8_t *sha256 = file.digests.present & proto::kSha256 ? file.digests.sha256 : nullptr;
    const bool stored = files_ && file.store_handle && files_->close(file.store_handle, sha256, file.store_rule != 0);
    if (!writes(output::EveType::Fileinfo)) return;
    output::JsonWriter &w = begin(output::EveType::Fileinfo);
    write_fileinfo(w, file, stored);
    w.end_object();
    out_.commit_record(output::EveType::Fileinfo);
}

void EveEventSink::write_tls_record(std::string_view sni) {
    write_transaction(proto::Protocol::Tls, output::EveType::Tls, [&](output::JsonWriter &w) {
        w.key("tls");
        w.begin_object();
        if (!sni.empty()) w.field("sni", sni);
        w.end_object();
    });
}

}  // namespace postern::inspect
