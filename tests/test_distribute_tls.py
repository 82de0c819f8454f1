"""Mail goes out over verified TLS: real aiosmtpd servers on 127.0.0.1, certificates made here."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import ipaddress
import ssl
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from test_distribute_emailing import SENDER, Collector, free_port, make_pack, read_log, run

from packgen.distribute import smtp as smtp_module
from packgen.errors import DistributionError, InputError
from packgen.settings import EmailSettings, load_settings

USER, PASSWORD = "bhr", "s3cret-smtp"
DELIVERED = 4  # MEMBERS who receive the pack, in two messages


# --- Certificates: a CA of the test's own and server certificates it signs -----------------------


@dataclasses.dataclass(frozen=True)
class Certificates:
    ca: Path  # the CA's certificate (PEM), for smtp_ca_file
    server: Path  # certificate and key for localhost / 127.0.0.1, signed by the CA
    other_name: Path  # certificate and key for mail.example only, signed by the CA


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _usage(**allowed: bool) -> x509.KeyUsage:
    flags = ["digital_signature", "content_commitment", "key_encipherment", "data_encipherment"]
    flags += ["key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"]
    return x509.KeyUsage(**{flag: allowed.get(flag, False) for flag in flags})


def _builder(subject: str, issuer: str, key) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
    )


def make_ca(path: Path):
    """Write a self-signed CA certificate to `path`; return its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        _builder("packgen test CA", "packgen test CA", key)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key


def make_server_cert(path: Path, ca_key, names: list[x509.GeneralName]) -> Path:
    """Write a server certificate for `names`, signed by the CA, followed by its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        _builder(str(names[0].value), "packgen test CA", key)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(digital_signature=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + private)
    return path


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    folder = tmp_path_factory.mktemp("certs")
    ca_key = make_ca(folder / "ca.pem")
    local = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    server = make_server_cert(folder / "server.pem", ca_key, local)
    other = make_server_cert(folder / "other.pem", ca_key, [x509.DNSName("mail.example")])
    return Certificates(folder / "ca.pem", server, other)


def server_context(chain: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(chain)
    return context


# --- Servers --------------------------------------------------------------------------------------


def encrypted(server: SMTP) -> bool:
    """Tell whether the server's side of the connection is TLS (STARTTLS or implicit)."""
    return server.transport.get_extra_info("ssl_object") is not None


class TLSCollector(Collector):
    """A Collector that also records whether each message came over TLS."""

    def __init__(self) -> None:
        super().__init__()
        self.over_tls: list[bool] = []

    async def handle_DATA(self, server, session, envelope):
        self.over_tls.append(encrypted(server))
        return await super().handle_DATA(server, session, envelope)


class Logins:
    """An aiosmtpd authenticator accepting USER/PASSWORD; records each login and its TLS."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, bool]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        login = auth_data.login.decode()
        self.seen.append((login, encrypted(server)))
        return AuthResult(success=(login, auth_data.password.decode()) == (USER, PASSWORD))


class DropAtStarttls(SMTP):
    """Says yes to STARTTLS, then hangs up before the handshake."""

    async def smtp_STARTTLS(self, arg: str) -> None:
        await self.push("220 Ready to start TLS")
        self.transport.close()


class DropAfterStarttls(SMTP):
    """Completes the TLS handshake, then hangs up."""

    async def smtp_STARTTLS(self, arg: str) -> None:
        await super().smtp_STARTTLS(arg)
        self.transport.close()


class HangAtStarttls(SMTP):
    """Says yes to STARTTLS, then never answers the handshake."""

    async def smtp_STARTTLS(self, arg: str) -> None:
        await self.push("220 Ready to start TLS")
        await asyncio.sleep(3600)  # cancelled when the controller stops


class ServerController(Controller):
    """A Controller whose server is a given SMTP subclass."""

    def __init__(self, handler, server_class: type[SMTP] = SMTP, **kwargs) -> None:
        self.server_class = server_class
        super().__init__(handler, **kwargs)

    def factory(self) -> SMTP:
        return self.server_class(self.handler, **self.SMTP_kwargs)


@pytest.fixture
def server():
    """Start real SMTP servers on loopback; yield a function returning settings for one."""
    controllers = []

    def start(handler, tls: Path | None = None, implicit: bool = False, **kwargs):
        context = server_context(tls) if tls else None
        tls_kwargs = {"ssl_context": context} if implicit else {"tls_context": context}
        controller = ServerController(
            handler, hostname="127.0.0.1", port=free_port(), **tls_kwargs, **kwargs
        )
        controller.start()
        controllers.append(controller)
        return EmailSettings(
            sender=SENDER,
            smtp_host="127.0.0.1",
            smtp_port=controller.port,
            smtp_tls="implicit" if implicit else "starttls",
            smtp_timeout=5,
        )

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return make_pack(tmp_path)


def trusting(settings: EmailSettings, certs: Certificates, **changes) -> EmailSettings:
    return dataclasses.replace(settings, smtp_ca_file=certs.ca, **changes)


def nothing_sent(pack: Path, collector: Collector) -> bool:
    return collector.received == [] and not (pack.parent / "email" / "sent.json").exists()


# --- STARTTLS -------------------------------------------------------------------------------------


def test_starttls_with_an_untrusted_certificate_is_refused_and_nothing_sent(pack, server, certs):
    collector = TLSCollector()
    settings = server(collector, tls=certs.server, require_starttls=True)
    with pytest.raises(DistributionError) as caught:
        run(pack, settings, send=True)
    text = str(caught.value)
    assert f"The SMTP server 127.0.0.1:{settings.smtp_port} presented a certificate" in text
    assert "isn't trusted" in text and "smtp_ca_file" in text
    assert nothing_sent(pack, collector)


def test_starttls_with_smtp_ca_file_delivers_over_tls(pack, server, certs):
    collector = TLSCollector()
    settings = server(collector, tls=certs.server, require_starttls=True)
    report = run(pack, trusting(settings, certs), send=True)
    assert len(collector.received) == 2 and collector.over_tls == [True, True]
    assert len(report.sent) == DELIVERED
    assert sorted(e["recipient"] for e in read_log(pack)) == sorted(collector.recipients)


def test_a_trusted_certificate_for_another_name_is_refused(pack, server, certs):
    collector = TLSCollector()
    settings = server(collector, tls=certs.other_name, require_starttls=True)
    with pytest.raises(DistributionError, match="isn't trusted \\(IP address mismatch"):
        run(pack, trusting(settings, certs), send=True)
    assert nothing_sent(pack, collector)


def test_a_ca_file_that_is_not_pem_is_an_error_naming_the_setting(pack, server, certs, tmp_path):
    collector = TLSCollector()
    settings = server(collector, tls=certs.server, require_starttls=True)
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("not a certificate\n")
    with pytest.raises(DistributionError) as caught:
        run(pack, dataclasses.replace(settings, smtp_ca_file=not_pem), send=True)
    [problem] = caught.value.problems
    assert str(problem.location) == "partnership.toml › [email] › smtp_ca_file"
    assert nothing_sent(pack, collector)


# --- Logging in -----------------------------------------------------------------------------------


def test_login_happens_only_after_starttls(pack, server, certs):
    collector, logins = TLSCollector(), Logins()
    settings = server(collector, tls=certs.server, authenticator=logins, auth_require_tls=True)
    run(pack, trusting(settings, certs, smtp_user=USER, smtp_password=PASSWORD), send=True)
    assert logins.seen == [(USER, True)]
    assert collector.over_tls == [True, True]


def test_the_password_never_goes_unencrypted_to_another_host(pack, server, monkeypatch):
    monkeypatch.setattr(smtp_module, "is_loopback", lambda host: False)
    collector, logins = TLSCollector(), Logins()
    settings = server(collector, authenticator=logins, auth_require_tls=False)
    with_login = dataclasses.replace(settings, smtp_user=USER, smtp_password=PASSWORD)
    with pytest.raises(DistributionError, match="won't send the password of bhr"):
        run(pack, with_login, send=True, no_tls=True)
    assert logins.seen == []
    assert nothing_sent(pack, collector)


def test_a_server_without_starttls_is_refused_before_login_off_loopback(pack, server, monkeypatch):
    monkeypatch.setattr(smtp_module, "is_loopback", lambda host: False)
    collector, logins = TLSCollector(), Logins()
    settings = server(collector, authenticator=logins, auth_require_tls=False)
    with_login = dataclasses.replace(settings, smtp_user=USER, smtp_password=PASSWORD)
    with pytest.raises(DistributionError, match="does not offer STARTTLS"):
        run(pack, with_login, send=True)
    assert logins.seen == []
    assert nothing_sent(pack, collector)


# --- A server that goes away during STARTTLS ------------------------------------------------------


@pytest.mark.parametrize("server_class", [DropAtStarttls, DropAfterStarttls, HangAtStarttls])
def test_a_server_failing_during_starttls_is_a_clear_error(pack, server, certs, server_class):
    collector = TLSCollector()
    settings = server(collector, tls=certs.server, server_class=server_class)
    quick = trusting(settings, certs, smtp_timeout=1)
    with pytest.raises(DistributionError) as caught:
        run(pack, quick, send=True)
    assert str(caught.value).startswith(
        f"Can't connect to the SMTP server 127.0.0.1:{settings.smtp_port}: "
    )
    assert nothing_sent(pack, collector)


def test_after_a_failed_starttls_the_same_command_sends_everyone(pack, server, certs):
    broken = server(TLSCollector(), tls=certs.server, server_class=DropAfterStarttls)
    with pytest.raises(DistributionError):
        run(pack, trusting(broken, certs), send=True)
    collector = TLSCollector()
    settings = server(collector, tls=certs.server, require_starttls=True)
    run(pack, trusting(settings, certs), send=True)
    assert len(read_log(pack)) == DELIVERED == len(collector.recipients)


# --- Implicit TLS ---------------------------------------------------------------------------------


def test_implicit_tls_with_an_untrusted_certificate_is_refused(pack, server, certs):
    collector = TLSCollector()
    settings = server(collector, tls=certs.server, implicit=True)
    with pytest.raises(DistributionError, match="isn't trusted") as caught:
        run(pack, settings, send=True)
    assert f"127.0.0.1:{settings.smtp_port}" in str(caught.value)
    assert nothing_sent(pack, collector)


def test_implicit_tls_with_smtp_ca_file_delivers_and_logs_in(pack, server, certs):
    collector, logins = TLSCollector(), Logins()
    # aiosmtpd counts only STARTTLS as TLS for auth_require_tls; Logins sees the truth
    settings = server(
        collector, tls=certs.server, implicit=True, authenticator=logins, auth_require_tls=False
    )
    run(pack, trusting(settings, certs, smtp_user=USER, smtp_password=PASSWORD), send=True)
    assert logins.seen == [(USER, True)]
    assert collector.over_tls == [True, True]
    assert len(read_log(pack)) == DELIVERED


# --- Settings -------------------------------------------------------------------------------------


@pytest.fixture
def email_toml(tmp_path, monkeypatch):
    """Write data/partnership.toml with an [email] table; return a function loading it."""
    for name in ("PACKGEN_SMTP_PORT", "PACKGEN_SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)

    def load(*lines: str) -> EmailSettings:
        (tmp_path / "partnership.toml").write_text("\n".join(["[email]", *lines]) + "\n")
        return load_settings(tmp_path).email

    return load


def test_smtp_ca_file_is_found_in_the_data_folder(email_toml, tmp_path, certs):
    (tmp_path / "ca.pem").write_bytes(certs.ca.read_bytes())
    assert email_toml('smtp_ca_file = "ca.pem"').smtp_ca_file == tmp_path / "ca.pem"


@pytest.mark.parametrize("name", ["missing.pem", "folder"])
def test_an_unreadable_smtp_ca_file_is_an_error_naming_the_setting(email_toml, tmp_path, name):
    (tmp_path / "folder").mkdir()
    with pytest.raises(InputError) as caught:
        email_toml(f'smtp_ca_file = "{name}"')
    [problem] = caught.value.problems
    assert str(problem.location) == "partnership.toml › [email] › smtp_ca_file"
    assert f"{tmp_path / name} can't be read" in problem.message


def test_an_unknown_smtp_tls_is_an_error_naming_the_setting(email_toml):
    with pytest.raises(InputError) as caught:
        email_toml('smtp_tls = "ssl"')
    assert [str(p) for p in caught.value.problems] == [
        'partnership.toml › [email] › smtp_tls: \'ssl\' is not "starttls" or "implicit"'
    ]


@pytest.mark.parametrize(
    ("lines", "tls", "port"),
    [
        ((), "starttls", 25),
        (('smtp_tls = "implicit"',), "implicit", 465),
        (('smtp_tls = "implicit"', "smtp_port = 2465"), "implicit", 2465),
        (('smtp_tls = "starttls"', "smtp_port = 587"), "starttls", 587),
    ],
)
def test_the_port_defaults_to_465_for_implicit_tls_and_25_otherwise(email_toml, lines, tls, port):
    settings = email_toml(*lines)
    assert (settings.smtp_tls, settings.smtp_port) == (tls, port)
