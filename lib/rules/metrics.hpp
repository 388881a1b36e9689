// Numbers about a whole transaction that rules can test at its end (recipient and attachment
// counts, sizes). The worker fills TransactionFacts from the parser's transaction record.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "util/named_enum.hpp"

namespace postern::proto {
struct EmailMessage;
struct SmtpTransaction;
struct Pop3Transaction;
struct ImapTransaction;
}  // namespace postern::proto

namespace postern::rules {

#define POSTERN_RULE_METRICS(X)                                                 \
    X(SmtpRcptCount, "smtp.rcpt_count") /* RCPT TO commands, accepted or not */ \
    X(SmtpRcptRejected, "smtp.rcpt_rejected")                                   \
    X(SmtpDeclaredSize, "smtp.declared_size") /* MAIL FROM SIZE= */             \
    X(EmailSize, "email.size") /* the whole message as transferred */           \
    X(EmailHeaderCount, "email.header_count") /* top-level header fields */     \
    X(EmailXHeaderCount, "email.x_header_count") /* top-level X-* fields */     \
    X(EmailToCount, "email.to_count")                                           \
    X(EmailCcCount, "email.cc_count")                                           \
    X(EmailPartCount, "email.part_count") /* leaf MIME parts */                 \
    X(EmailAttachmentCount, "email.attachment_count")
POSTERN_NAMED_ENUM_COUNTED(Metric, POSTERN_RULE_METRICS);
inline constexpr size_t kMetricCount = static_cast<size_t>(Metric::Count);

constexpr std::string_view metric_name(Metric m) {  // "smtp.rcpt_count"
    return util::enum_name(kMetricNames, m, "unknown");
}
std::optional<Metric> parse_metric(std::string_view name);
std::string_view known_metric_names();

// The transaction a set of facts is about: alerts decided at its end carry it in their record.
using TransactionRef = std::variant<std::monostate, const proto::SmtpTransaction *, const proto::Pop3Transaction *,
                                    const proto::ImapTransaction *>;

// What is known about one transaction; metrics that were not set never satisfy a condition.
class TransactionFacts {
public:
    void set(Metric m, uint64_t v) {
        values_[static_cast<size_t>(m)] = v;
        known_ |= 1u << static_cast<unsigned>(m);
    }
    std::optional<uint64_t> get(Metric m) const {
        if (!(known_ & (1u << static_cast<unsigned>(m)))) return std::nullopt;
        return values_[static_cast<size_t>(m)];
    }
    bool empty() const { return known_ == 0; }

    TransactionRef transaction;  // what the facts were taken from (none in rule tests)

private:
    std::array<uint64_t, kMetricCount> values_{};
    uint32_t known_ = 0;
};

// The email.* metrics of a message.
void add_message_facts(TransactionFacts &facts, const proto::EmailMessage &m);
// Facts of a finished transaction (its message included when it carried one).
TransactionFacts facts_for(const proto::SmtpTransaction &tx);
TransactionFacts facts_for(const proto::Pop3Transaction &tx);
TransactionFacts facts_for(const proto::ImapTransaction &tx);

}  // namespace postern::rules
