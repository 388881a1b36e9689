// Numbers about a whole transaction that rules can test at its end (recipient and attachment
// counts, sizes). The worker fills TransactionFacts from the parser's transaction record.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

namespace postern::proto {
struct EmailMessage;
struct SmtpTransaction;
struct Pop3Transaction;
struct ImapTransaction;
}  // namespace postern::proto

namespace postern::rules {

enum class Metric : uint8_t {
    SmtpRcptCount,  // RCPT TO commands, accepted or not
    SmtpRcptRejected,
    SmtpDeclaredSize,  // MAIL FROM SIZE=
    EmailSize,  // the whole message as transferred
    EmailHeaderCount,  // top-level header fields
    EmailXHeaderCount,  // top-level X-* fields
    EmailToCount,
    EmailCcCount,
    EmailPartCount,  // leaf MIME parts
    EmailAttachmentCount,
    Count
};
inline constexpr size_t kMetricCount = static_cast<size_t>(Metric::Count);

std::string_view metric_name(Metric m);  // "smtp.rcpt_count"
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
