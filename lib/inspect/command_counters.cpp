#include "inspect/command_counters.hpp"

#include "proto/imap/imap_command.hpp"
#include "proto/pop3/pop3_command.hpp"
#include "proto/smtp/smtp_command.hpp"

namespace postern::inspect {

namespace {

using proto::Protocol;

// Last label index per protocol (the last command of each enum; SMTP's DataEnd is not one).
constexpr size_t kSmtpVerbs = static_cast<size_t>(proto::SmtpVerb::Saml) + 1;
constexpr size_t kPop3Verbs = static_cast<size_t>(proto::Pop3Verb::Lang) + 1;
constexpr size_t kImapVerbs = static_cast<size_t>(proto::ImapVerb::Replace) + 1;
static_assert(kSmtpVerbs <= CommandCounters::kMaxVerbs && kPop3Verbs <= CommandCounters::kMaxVerbs &&
              kImapVerbs <= CommandCounters::kMaxVerbs);

}  // namespace

void CommandCounters::add(const proto::CommandEvent &command) {
    const auto p = static_cast<size_t>(command.protocol);
    if (p >= kProtocols) return;
    size_t i = command.verb;
    if (i >= verb_count(command.protocol)) i = 0;
    ++counts_[p][i];
}

size_t CommandCounters::verb_count(Protocol protocol) {
    switch (protocol) {
    case Protocol::Smtp: return kSmtpVerbs;
    case Protocol::Pop3: return kPop3Verbs;
    case Protocol::Imap: return kImapVerbs;
    default: return 0;
    }
}

std::string_view CommandCounters::verb_label(Protocol protocol, size_t index) {
    if (index == 0 || index >= verb_count(protocol)) return "other";
    switch (protocol) {
    case Protocol::Smtp: return proto::smtp_verb_name(static_cast<proto::SmtpVerb>(index));
    case Protocol::Pop3: return proto::pop3_verb_name(static_cast<proto::Pop3Verb>(index));
    case Protocol::Imap: return proto::imap_verb_name(static_cast<proto::ImapVerb>(index));
    default: return "other";
    }
}

uint64_t CommandCounters::get(Protocol protocol, size_t index) const {
    const auto p = static_cast<size_t>(protocol);
    return p < kProtocols && index < kMaxVerbs ? counts_[p][index].get() : 0;
}

}  // namespace postern::inspect
