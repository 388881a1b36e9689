// IMAP command names (RFC 3501, 9051 and the extensions mail clients use), the session state each
// needs, and CAPABILITY names as bits.
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/common/keyword_table.hpp"

namespace postern::proto {

enum class ImapVerb : uint8_t {
    Unknown,
    Capability,
    Noop,
    Logout,
    Starttls,
    Authenticate,
    Login,
    Select,
    Examine,
    Create,
    Delete,
    Rename,
    Subscribe,
    Unsubscribe,
    List,
    Lsub,
    Xlist,
    Status,
    Append,
    Check,
    Close,
    Unselect,
    Expunge,
    Search,
    Fetch,
    Store,
    Copy,
    Move,
    Uid,  // "UID" alone, without a command after it
    Idle,
    Namespace,
    Enable,
    Id,
    Compress,
    GetQuota,
    GetQuotaRoot,
    SetQuota,
    GetAcl,
    SetAcl,
    MyRights,
    Sort,
    Thread,
    GetMetadata,
    SetMetadata,
    Unauthenticate,
    Replace,
};

ImapVerb classify_imap_verb(std::string_view name);  // case-insensitive
std::string_view imap_verb_name(ImapVerb v);  // "FETCH"...; "UNKNOWN"
// Commands that take the UID prefix (RFC 3501 6.4.8, 4315, 6851, 5256, 8508).
bool imap_verb_takes_uid(ImapVerb v);

// RFC 3501 3 states: commands valid only once authenticated, only with a mailbox selected, and
// only before authentication.
bool imap_needs_authentication(ImapVerb v);
bool imap_needs_selection(ImapVerb v);
bool imap_before_authentication_only(ImapVerb v);

// CAPABILITY names: classify_imap_capability(name) is the bit of kImapCapabilities it stands for.
inline constexpr std::string_view kImapCapabilities[] = {
    "IMAP4rev1",  "IMAP4rev2", "STARTTLS",    "LOGINDISABLED", "AUTH",     "SASL-IR",  "IDLE",
    "LITERAL+",   "LITERAL-",  "COMPRESS=DEFLATE", "UIDPLUS",  "MOVE",     "CONDSTORE", "QRESYNC",
    "ENABLE",     "UTF8=ACCEPT", "ID",        "NAMESPACE",     "BINARY",   "CATENATE", "MULTIAPPEND",
    "SPECIAL-USE", "UNSELECT", "CHILDREN",    "QUOTA",         "ESEARCH",  "APPENDLIMIT", "XLIST",
    "X-GM-EXT-1",  // Gmail
};
// AUTH=<mechanism> and APPENDLIMIT=<n> count as AUTH and APPENDLIMIT.
uint32_t classify_imap_capability(std::string_view name);

}  // namespace postern::proto
