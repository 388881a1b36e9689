// What the matcher remembers about one session between field events: rules that need several
// conditions (smtp.helo from the start of the session and email.subject from a message, say)
// collect them here until they are all true. Fixed size, no heap: the worker keeps one per
// session slot and calls begin() when the slot gets a new session.
//
// Values that belong to the session (HELO, the authenticated user, the TLS name) stay true for
// every later transaction of the session; all others are forgotten at end_transaction(). The
// state belongs to one rule-set version: when the worker has moved to a new set, the first call
// with it starts the state over (partial matches of the old set are dropped, counted).
#pragma once

#include <cstdint>

#include "proto/protocol.hpp"
#include "rules/rule.hpp"

namespace postern::rules {

class MatchState {
public:
    static constexpr size_t kMaxPending = 16;  // rules partly matched at once
    static constexpr size_t kMaxFired = 16;  // rules fired in the current transaction (no repeats)
    static constexpr size_t kSessionEvidenceBytes = 512;
    static constexpr size_t kTxEvidenceBytes = 1024;
    static constexpr size_t kMaxEvidenceValue = 128;  // bytes of one value kept as evidence

    // A new session; rules limited to other protocols are skipped (Unknown: no filter).
    void begin(proto::Protocol p) {
        protocol_ = p;
        user_key_ = 0;
        version_ = 0;
        clear_session();
    }
    // The protocol became known after the session started (protocol detection): keeps what matched.
    void set_protocol(proto::Protocol p) { protocol_ = p; }
    proto::Protocol protocol() const { return protocol_; }
    size_t pending() const { return pending_count_; }
    // The id of the first rule with "filestore" that fired in the current transaction, or 0.
    uint32_t filestore_rule() const { return filestore_rule_; }

private:
    friend class Matcher;

    // Where a stored evidence value lives.
    struct EvidenceRef {
        uint16_t offset = 0;
        uint8_t length = 0;
        uint8_t arena = 0;  // 0: none, 1: session, 2: transaction
    };
    struct Pending {
        uint32_t rule = 0;
        uint8_t session_mask = 0;  // field conditions met by session values
        uint8_t tx_mask = 0;  // field conditions met in the current transaction
        EvidenceRef evidence[kMaxFieldConditions];
    };

    void clear_session() {
        pending_count_ = 0;
        fired_count_ = 0;
        filestore_rule_ = 0;
        session_used_ = 0;
        tx_used_ = 0;
    }

    uint64_t version_ = 0;  // the RuleSet version the entries refer to
    uint64_t user_key_ = 0;  // hash of the session's user, for thresholds by_user
    uint32_t filestore_rule_ = 0;
    proto::Protocol protocol_ = proto::Protocol::Unknown;
    uint8_t pending_count_ = 0;
    uint8_t fired_count_ = 0;
    uint16_t session_used_ = 0;
    uint16_t tx_used_ = 0;
    Pending pending_[kMaxPending];
    uint32_t fired_[kMaxFired];
    char session_evidence_[kSessionEvidenceBytes];
    char tx_evidence_[kTxEvidenceBytes];
};

}  // namespace postern::rules
