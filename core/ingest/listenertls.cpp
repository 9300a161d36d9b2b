#include "listenertls.h"

#include <QDateTime>
#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace fg {

namespace {

// Certificates, keys and passphrases are small; a larger file is not one of them.
constexpr qint64 kMaxFileBytes = 1024 * 1024;

template <typename T, void (*Free)(T *)>
struct Deleter {
    void operator()(T *p) const { Free(p); }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;

bool readFile(const QString &path, const char *what, QByteArray *out, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the %1 %2: %3").arg(QLatin1String(what), path, file.errorString());
        return false;
    }
    if (file.size() > kMaxFileBytes) {
        *error = QStringLiteral("the %1 %2 is larger than 1 MiB").arg(QLatin1String(what), path);
        return false;
    }
    *out = file.readAll();
    return true;
}

QString opensslError()
{
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0)
        return QStringLiteral("not PEM");
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    return QString::fromLatin1(text);
}

// Never prompts on the terminal (OpenSSL's default without a callback): no passphrase, no key.
int passphraseCallback(char *buf, int size, int, void *user)
{
    const auto *passphrase = static_cast<const QByteArray *>(user);
    if (!passphrase || passphrase->isEmpty() || passphrase->size() > size)
        return 0;
    std::memcpy(buf, passphrase->constData(), size_t(passphrase->size()));
    return int(passphrase->size());
}

} // namespace

std::optional<QSslConfiguration> loadServerTls(const TlsFiles &files, QString *error, QStringList *warnings)
{
    QByteArray certPem, keyPem, passphrase;
    if (!readFile(files.certPath, "TLS certificate (--tls-cert)", &certPem, error)
        || !readFile(files.keyPath, "TLS key (--tls-key)", &keyPem, error))
        return std::nullopt;
    if (!files.passphrasePath.isEmpty()) {
        if (!readFile(files.passphrasePath, "TLS key passphrase file (--tls-key-passphrase-file)", &passphrase, error))
            return std::nullopt;
        passphrase = passphrase.left(passphrase.indexOf('\n')); // the first line; all of it without a newline
        if (passphrase.endsWith('\r'))
            passphrase.chop(1);
    }
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certPem, QSsl::Pem);
    ERR_clear_error();
    BioPtr certBio(BIO_new_mem_buf(certPem.constData(), int(certPem.size())));
    X509Ptr leaf(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
    if (chain.isEmpty() || !leaf) {
        *error = QStringLiteral("the TLS certificate (--tls-cert) %1 holds no PEM certificate: %2").arg(files.certPath, opensslError());
        return std::nullopt;
    }
    BioPtr keyBio(BIO_new_mem_buf(keyPem.constData(), int(keyPem.size())));
    KeyPtr key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, passphraseCallback, &passphrase));
    if (!key) {
        const QString why = opensslError();
        *error = QStringLiteral("the TLS key (--tls-key) %1 cannot be read: %2%3")
                     .arg(files.keyPath, why,
                          keyPem.contains("ENCRYPTED") ? (passphrase.isEmpty() ? QStringLiteral(" (the key is encrypted: give "
                                                                                                "--tls-key-passphrase-file)")
                                                                               : QStringLiteral(" (wrong passphrase?)"))
                                                       : QString());
        return std::nullopt;
    }
    if (X509_check_private_key(leaf.get(), key.get()) != 1) {
        ERR_clear_error();
        *error = QStringLiteral("the TLS key (--tls-key) %1 does not belong to the certificate (--tls-cert) %2")
                     .arg(files.keyPath, files.certPath);
        return std::nullopt;
    }
    QSsl::KeyAlgorithm algorithm = QSsl::Opaque;
    switch (EVP_PKEY_base_id(key.get())) {
    case EVP_PKEY_RSA: algorithm = QSsl::Rsa; break;
    case EVP_PKEY_EC: algorithm = QSsl::Ec; break;
    default:
        *error = QStringLiteral("the TLS key (--tls-key) %1 is neither RSA nor EC").arg(files.keyPath);
        return std::nullopt;
    }
    // Handed to Qt decrypted (DER, in memory only), so that the passphrase is needed once.
    unsigned char *der = nullptr;
    const int derSize = i2d_PrivateKey(key.get(), &der);
    const QSslKey qtKey(QByteArray(reinterpret_cast<const char *>(der), std::max(derSize, 0)), algorithm, QSsl::Der);
    OPENSSL_clear_free(der, size_t(std::max(derSize, 0)));
    if (qtKey.isNull()) {
        *error = QStringLiteral("the TLS key (--tls-key) %1 is not usable by Qt's TLS backend").arg(files.keyPath);
        return std::nullopt;
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (chain.first().expiryDate() < now || chain.first().effectiveDate() > now)
        *warnings << QStringLiteral("the TLS certificate %1 is valid only from %2 to %3; clients will refuse it")
                         .arg(files.certPath, chain.first().effectiveDate().toString(Qt::ISODate),
                              chain.first().expiryDate().toString(Qt::ISODate));
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setLocalCertificateChain(chain);
    config.setPrivateKey(qtKey);
    config.setProtocol(QSsl::TlsV1_2OrLater);
    config.setPeerVerifyMode(QSslSocket::VerifyNone); // clients authenticate with tokens, not certificates
    return config;
}

qint64 unsentBytes(const QTcpSocket &socket)
{
    if (const auto *tls = qobject_cast<const QSslSocket *>(&socket))
        return tls->bytesToWrite() + tls->encryptedBytesToWrite();
    return socket.bytesToWrite();
}

} // namespace fg
