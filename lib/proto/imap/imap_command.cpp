#include "proto/imap/imap_command.hpp"

#include "proto/common/ascii.hpp"

namespace postern::proto {

namespace {

constexpr Keyword<ImapVerb> kVerbs[] = {
    {ImapVerb::Capability, "CAPABILITY"},
    {ImapVerb::Noop, "NOOP"},
    {ImapVerb::Logout, "LOGOUT"},
    {ImapVerb::Starttls, "STARTTLS"},
    {ImapVerb::Authenticate, "AUTHENTICATE"},
    {ImapVerb::Login, "LOGIN"},
    {ImapVerb::Select, "SELECT"},
    {ImapVerb::Examine, "EXAMINE"},
    {ImapVerb::Create, "CREATE"},
    {ImapVerb::Delete, "DELETE"},
    {ImapVerb::Rename, "RENAME"},
    {ImapVerb::Subscribe, "SUBSCRIBE"},
    {ImapVerb::Unsubscribe, "UNSUBSCRIBE"},
    {ImapVerb::List, "LIST"},
    {ImapVerb::Lsub, "LSUB"},
    {ImapVerb::Xlist, "XLIST"},
    {ImapVerb::Status, "STATUS"},
    {ImapVerb::Append, "APPEND"},
    {ImapVerb::Check, "CHECK"},
    {ImapVerb::Close, "CLOSE"},
    {ImapVerb::Unselect, "UNSELECT"},
    {ImapVerb::Expunge, "EXPUNGE"},
    {ImapVerb::Search, "SEARCH"},
    {ImapVerb::Fetch, "FETCH"},
    {ImapVerb::Store, "STORE"},
    {ImapVerb::Copy, "COPY"},
    {ImapVerb::Move, "MOVE"},
    {ImapVerb::Uid, "UID"},
    {ImapVerb::Idle, "IDLE"},
    {ImapVerb::Namespace, "NAMESPACE"},
    {ImapVerb::Enable, "ENABLE"},
    {ImapVerb::Id, "ID"},
    {ImapVerb::Compress, "COMPRESS"},
    {ImapVerb::GetQuota, "GETQUOTA"},
    {ImapVerb::GetQuotaRoot, "GETQUOTAROOT"},
    {ImapVerb::SetQuota, "SETQUOTA"},
    {ImapVerb::GetAcl, "GETACL"},
    {ImapVerb::SetAcl, "SETACL"},
    {ImapVerb::MyRights, "MYRIGHTS"},
    {ImapVerb::Sort, "SORT"},
    {ImapVerb::Thread, "THREAD"},
    {ImapVerb::GetMetadata, "GETMETADATA"},
    {ImapVerb::SetMetadata, "SETMETADATA"},
    {ImapVerb::Unauthenticate, "UNAUTHENTICATE"},
    {ImapVerb::Replace, "REPLACE"},
};

}  // namespace

ImapVerb classify_imap_verb(std::string_view name) { return find_keyword(kVerbs, name, ImapVerb::Unknown); }

std::string_view imap_verb_name(ImapVerb v) { return keyword_name(kVerbs, v, "UNKNOWN"); }

bool imap_verb_takes_uid(ImapVerb v) {
    switch (v) {
    case ImapVerb::Fetch:
    case ImapVerb::Store:
    case ImapVerb::Copy:
    case ImapVerb::Move:
    case ImapVerb::Search:
    case ImapVerb::Expunge:
    case ImapVerb::Sort:
    case ImapVerb::Thread:
    case ImapVerb::Replace: return true;
    default: return false;
    }
}

bool imap_needs_authentication(ImapVerb v) {
    switch (v) {
    case ImapVerb::Select:
    case ImapVerb::Examine:
    case ImapVerb::Create:
    case ImapVerb::Delete:
    case ImapVerb::Rename:
    case ImapVerb::Subscribe:
    case ImapVerb::Unsubscribe:
    case ImapVerb::List:
    case ImapVerb::Lsub:
    case ImapVerb::Xlist:
    case ImapVerb::Status:
    case ImapVerb::Append:
    case ImapVerb::Idle:
    case ImapVerb::Namespace:
    case ImapVerb::Enable:
    case ImapVerb::GetQuota:
    case ImapVerb::GetQuotaRoot:
    case ImapVerb::SetQuota:
    case ImapVerb::GetAcl:
    case ImapVerb::SetAcl:
    case ImapVerb::MyRights:
    case ImapVerb::GetMetadata:
    case ImapVerb::SetMetadata:
    case ImapVerb::Unauthenticate: return true;
    default: return imap_needs_selection(v);
    }
}

bool imap_needs_selection(ImapVerb v) {
    switch (v) {
    case ImapVerb::Check:
    case ImapVerb::Close:
    case ImapVerb::Unselect:
    case ImapVerb::Expunge:
    case ImapVerb::Search:
    case ImapVerb::Fetch:
    case ImapVerb::Store:
    case ImapVerb::Copy:
    case ImapVerb::Move:
    case ImapVerb::Uid:
    case ImapVerb::Sort:
    case ImapVerb::Thread:
    case ImapVerb::Replace: return true;
    default: return false;
    }
}

bool imap_before_authentication_only(ImapVerb v) {
    return v == ImapVerb::Login || v == ImapVerb::Authenticate || v == ImapVerb::Starttls;
}

uint32_t classify_imap_capability(std::string_view name) {
    if (ascii::istarts_with(name, "AUTH=")) return capability_bit(kImapCapabilities, "AUTH");
    if (ascii::istarts_with(name, "APPENDLIMIT")) return capability_bit(kImapCapabilities, "APPENDLIMIT");
    return capability_bit(kImapCapabilities, name);
}

}  // namespace postern::proto
