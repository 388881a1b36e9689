// The end of the event chain: turns what the mail parsers report into EVE records (protocol
// transactions, anomalies, TLS server names) for the flow being processed, and counts it.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string_view>

#include "filestore/file_feed.hpp"
#include "inspect/command_counters.hpp"
#include "inspect/flow_context.hpp"
#include "inspect/record_output.hpp"
#include "proto/events.hpp"
#include "util/counter.hpp"

namespace postern::inspect {

inline constexpr size_t kProtocols = 5;  // proto::Protocol values

// Anomaly names are a closed set (the parsers' own tables), so counting by name stays bounded.
struct AnomalyCounts {
    static constexpr size_t kMaxNames = 128;
    std::array<std::string_view, kMaxNames> names{};
    std::array<util::Counter, kMaxNames> counts;
    util::Counter other;  // names beyond kMaxNames
    // Written by the worker only; published with release so a reader that sees used == n also
    // sees names[0..n).
    std::atomic<size_t> used{0};
    void add(std::string_view name);
};

struct AppCounters {
    std::array<util::Counter, kProtocols> sessions;      // flows identified, by protocol
    std::array<util::Counter, kProtocols> transactions;  // EVE protocol records written
    std::array<util::Counter, kProtocols> commands;
    std::array<util::Counter, kProtocols> auth_failures;
    std::array<util::Counter, kProtocols> starttls;
    util::Counter detection_failed;  // payload seen, no known protocol
    util::Counter sessions_exhausted; // no free parser slot: the flow was not inspected
    util::Counter slots_in_use;       // gauge: parser slots held by sessions
    util::Counter slots_reclaimed;    // slots taken from idle or one-sided sessions for new ones
    AnomalyCounts anomalies;
    CommandCounters commands_by_verb;
};

class EveEventSink final : public proto::EventSink {
public:
    EveEventSink(RecordOutput &out, FlowContext &flow) : out_(out), flow_(flow) {}

    const FlowContext &flow() const { return flow_; }
    void set_protocol(proto::Protocol p) { flow_.protocol = p; }
    // Where the bytes of files go when output.files.store is on (null: nothing is extracted).
    void set_file_feed(filestore::FileFeed *files) { files_ = files; }
    // The event types the EVE log takes (output.types): the others are counted, not rendered.
    void set_eve_types(uint32_t types) { eve_types_ = types; }
    AppCounters &counters() { return counters_; }
    const AppCounters &counters() const { return counters_; }

    // EventSink, the end of the chain every stage declares alike: counts and writes EVE.
    void on_anomaly(const proto::AnomalyEvent &anomaly) override;
    void on_field(proto::Field field, std::string_view value) override;
    void on_command(const proto::CommandEvent &command) override;
    void on_auth(proto::Protocol protocol, std::string_view mechanism, std::string_view user,
                 proto::AuthResult result) override;
    void on_starttls(proto::Protocol protocol) override;
    uint32_t on_file_begin(const proto::FileBegin &file) override;
    void on_file_data(uint32_t handle, const uint8_t *data, size_t len) override;
    void on_file(const proto::FileEvent &file) override;
    void on_transaction(const proto::SmtpTransaction &tx) override;
    void on_transaction(const proto::Pop3Transaction &tx) override;
    void on_transaction(const proto::ImapTransaction &tx) override;

    // An EVE `tls` record for a session identified as TLS (with its SNI when one was seen).
    void write_tls_record(std::string_view sni);

private:
    output::JsonWriter &begin(output::EveType type);
    bool writes(output::EveType type) const { return eve_types_ >> static_cast<unsigned>(type) & 1u; }
    // Counts a transaction and writes its record: the common header, then render(w).
    template <class Render>
    void write_transaction(proto::Protocol protocol, output::EveType type, Render &&render,
                           std::optional<uint32_t> tx_id = std::nullopt);

    RecordOutput &out_;
    FlowContext &flow_;
    filestore::FileFeed *files_ = nullptr;
    uint32_t eve_types_ = ~0u;
    AppCounters counters_;
};

}  // namespace postern::inspect
