#!/usr/bin/env python3
"""Writes the project's own set of modern legitimate mail that a US medical practice receives.

    tests/corpus/ham-modern/generate.py      # rewrites train/ and validation/ beside this file

Every message is written from how its kind of sender really formats mail in 2025-2026: the
sending service's header shapes (DKIM by the ESP and by the brand, Return-Path with VERP
bounces, List-Unsubscribe and List-Unsubscribe-Post, Feedback-ID), click-tracking redirect
links, security gateways that rewrite links (Microsoft Safe Links, Proofpoint, Mimecast),
white-labelled patient portals sent from each health system's own domain, and government
bulletins sent through GovDelivery. Each file says what it models in `X-Hygeia-Models`, a
header that Hygeia never reads. Names of people, addresses, tokens and message ids are
invented; organisations are real senders, because recognising their real infrastructure is
exactly what is being tested.

The organisations of each kind are split in two: those at even positions go to train/ (what
indicators may be tuned on), those at odd positions to validation/ (reported, never tuned
on), so validation measures senders the indicators were not fitted to. The output is
deterministic (fixed seed): rerunning the script gives the same files.
"""
import base64
import hashlib
import os
import random
import shutil
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
RNG = random.Random(14)
PRACTICES = [
    ("Lakeside Family Medicine", "lakesidefamilymed.com"),
    ("Brookfield Pediatrics", "brookfieldpeds.org"),
    ("Summit Internal Medicine", "summitinternalmed.com"),
    ("Harbor Dermatology", "harbordermatology.net"),
]
FIRST = ["Maria", "James", "Aisha", "Robert", "Linda", "Wei", "Carlos", "Emily", "David", "Priya", "Thomas", "Grace"]
LAST = ["Nguyen", "Patel", "Johnson", "Garcia", "Kim", "Okafor", "Miller", "Rossi", "Chen", "Walker", "Haddad", "Brown"]
MESSAGES_PER_ORG = 5


def token(n=22, alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"):
    return "".join(RNG.choice(alphabet) for _ in range(n))


def hexid(n=32):
    return "".join(RNG.choice("0123456789abcdef") for _ in range(n))


def when():
    start = datetime(2025, 1, 6, tzinfo=timezone.utc)
    moment = start + timedelta(minutes=RNG.randrange(0, 60 * 24 * 660))
    return moment


def person():
    return RNG.choice(FIRST), RNG.choice(LAST)


class Message:
    """One message under construction: headers in order, a text part and an HTML part."""

    def __init__(self, models, from_name, from_addr, subject, to_addr, sent):
        self.models = models
        self.from_name = from_name
        self.from_addr = from_addr
        self.subject = subject
        self.to_addr = to_addr
        self.sent = sent
        self.headers = []
        self.text = ""
        self.html = ""
        self.attachments = []

    def header(self, name, value):
        self.headers.append((name, value))

    def render(self):
        boundary = "----=_Part_" + hexid(16)
        domain = self.from_addr.split("@")[1]
        lines = [("X-Hygeia-Models", self.models)] + self.headers
        lines += [
            ("From", f'"{self.from_name}" <{self.from_addr}>' if self.from_name else self.from_addr),
            ("To", self.to_addr),
            ("Subject", self.subject),
            ("Date", format_datetime(self.sent)),
            ("Message-ID", f"<{hexid(24)}@{domain}>"),
            ("MIME-Version", "1.0"),
        ]
        out = "".join(f"{k}: {v}\n" for k, v in lines)
        alternative = (
            f"--{boundary}\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n"
            f"{self.text}\n--{boundary}\nContent-Type: text/html; charset=UTF-8\n"
            f"Content-Transfer-Encoding: 8bit\n\n{self.html}\n--{boundary}--\n"
        )
        if not self.attachments:
            out += f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n{alternative}'
            return out
        mixed = "----=_Mixed_" + hexid(16)
        out += f'Content-Type: multipart/mixed; boundary="{mixed}"\n\n--{mixed}\n'
        out += f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n{alternative}'
        for name, ctype, data in self.attachments:
            encoded = base64.encodebytes(data).decode()
            out += (
                f'--{mixed}\nContent-Type: {ctype}; name="{name}"\nContent-Disposition: attachment; '
                f'filename="{name}"\nContent-Transfer-Encoding: base64\n\n{encoded}'
            )
        out += f"--{mixed}--\n"
        return out


def html_page(title, paragraphs, buttons=(), footer=""):
    """An HTML body in the table layout that ESP templates use."""
    body = "".join(f'<p style="font-family:Arial,sans-serif;font-size:15px;color:#333">{p}</p>' for p in paragraphs)
    for label, href in buttons:
        body += (
            '<table role="presentation" cellpadding="0" cellspacing="0"><tr><td bgcolor="#0b5ea8" '
            f'style="border-radius:4px"><a href="{href}" target="_blank" style="color:#ffffff;'
            f'padding:12px 24px;display:inline-block;text-decoration:none">{label}</a></td></tr></table>'
        )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        f"<title>{title}</title></head><body style=\"margin:0;padding:0\"><table width=\"100%\" "
        f'role="presentation"><tr><td align="center"><table width="600" role="presentation"><tr><td>'
        f"{body}<hr><p style=\"font-size:11px;color:#777\">{footer}</p></td></tr></table></td></tr></table>"
        "</body></html>"
    )


def received(m, hops):
    """Received headers, newest first, for hops of (name, ip) from the sending service inward."""
    stamp = m.sent
    practice_domain = m.to_addr.split("@")[1]
    chain = [(f"mx.{practice_domain}", "")] + list(hops)
    for i in range(len(chain) - 1):
        by, _ = chain[i]
        name, ip = chain[i + 1]
        m.header(
            "Received",
            f"from {name} ({name} [{ip}])\n\tby {by} with ESMTPS id {token(10)}\n\tfor <{m.to_addr}>; "
            f"{format_datetime(stamp + timedelta(seconds=5 - i))}",
        )


def authentication(m, dkim_domain, spf_domain):
    from_domain = m.from_addr.split("@")[1]
    practice_domain = m.to_addr.split("@")[1]
    m.header(
        "Authentication-Results",
        f"mx.{practice_domain};\n\tdkim=pass header.d={dkim_domain} header.s=s1;\n\tspf=pass "
        f"smtp.mailfrom={spf_domain};\n\tdmarc=pass (p=REJECT) header.from={from_domain}",
    )


def dkim(m, domain, selector="s1"):
    m.header(
        "DKIM-Signature",
        f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s={selector}; t={int(m.sent.timestamp())};\n"
        f"\th=from:to:subject:date:message-id:mime-version:content-type;\n\tbh={token(43)}=;\n\tb={token(80)}",
    )


def unsubscribe(m, url, mailto=None):
    value = f"<{url}>" + (f", <mailto:{mailto}>" if mailto else "")
    m.header("List-Unsubscribe", value)
    m.header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")


# --- sending services: how each puts its headers and links on a brand's message ---------------


def via_sfmc(m, send_domain):
    """Salesforce Marketing Cloud (ExactTarget): a brand subdomain, VERP bounces, click.<domain>."""
    bounce = f"bounce-{RNG.randrange(10, 99)}_HTML-{RNG.randrange(10**8, 10**9)}-{RNG.randrange(10**5, 10**6)}-{RNG.randrange(10**6, 10**7)}-{RNG.randrange(1, 99)}@bounce.{send_domain}"
    m.header("Return-Path", f"<{bounce}>")
    received(m, [(f"mta{RNG.randrange(1, 9)}.{send_domain}", f"13.111.{RNG.randrange(1, 250)}.{RNG.randrange(1, 250)}")])
    authentication(m, send_domain, f"bounce.{send_domain}")
    dkim(m, send_domain, "200608")
    m.header("x-job", f"{RNG.randrange(10**8, 10**9)}_{RNG.randrange(10**6, 10**7)}")
    m.header("X-SFMC-Stack", str(RNG.randrange(1, 12)))
    unsubscribe(m, f"https://click.{send_domain}/subscription_center.aspx?jwt={token(60)}", f"leave-{hexid(20)}@leave.{send_domain}")
    return lambda target: f"https://click.{send_domain}/?qs={hexid(96)}"


def via_sendgrid(m, send_domain, brand_link_domain=None):
    """SendGrid: a VERP bounce under the brand's authenticated domain, links through the brand's
    branded link domain (or u<id>.ct.sendgrid.net), DKIM by the brand and by sendgrid.info."""
    account = RNG.randrange(10**6, 10**8)
    m.header("Return-Path", f"<bounces+{account}-{hexid(4)}-{m.to_addr.replace('@', '=')}@em{RNG.randrange(1000, 9999)}.{send_domain}>")
    received(m, [(f"o{RNG.randrange(1, 30)}.ptr{RNG.randrange(1000, 9999)}.{send_domain}", f"149.72.{RNG.randrange(1, 250)}.{RNG.randrange(1, 250)}")])
    authentication(m, send_domain, f"em{RNG.randrange(1000, 9999)}.{send_domain}")
    dkim(m, send_domain, "s1")
    dkim(m, "sendgrid.info", "smtpapi")
    m.header("X-SG-EID", token(120, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"))
    m.header("X-Entity-ID", f"u001.{token(20)}==")
    link_host = f"url{RNG.randrange(1000, 9999)}.{brand_link_domain or send_domain}" if RNG.random() < 0.6 else f"u{account}.ct.sendgrid.net"
    unsubscribe(m, f"https://{link_host}/asm/unsubscribe/?user_id={account}&data={token(40)}")
    return lambda target: f"https://{link_host}/ls/click?upn={token(180, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')}"


def via_mailchimp(m, brand_domain):
    """Mailchimp: sent from mcsv.net / mcdlv.net with the brand's From, links through list-manage."""
    server = f"us{RNG.randrange(1, 21)}"
    m.header("Return-Path", f"<bounce-mc.{server}_{RNG.randrange(10**7, 10**8)}.{RNG.randrange(10**6, 10**7)}-{hexid(10)}@mail{RNG.randrange(10, 250)}.suw{RNG.randrange(10, 99)}.mcdlv.net>")
    received(m, [(f"mail{RNG.randrange(10, 250)}.suw{RNG.randrange(10, 99)}.mcdlv.net", f"198.2.{RNG.randrange(128, 191)}.{RNG.randrange(1, 250)}")])
    authentication(m, brand_domain, "mail.suw.mcdlv.net")
    dkim(m, brand_domain, "k2")
    dkim(m, "mailchimpapp.net", "k1")
    m.header("X-Campaign", f"mailchimp{hexid(19)}.{hexid(10)}")
    m.header("X-campaignid", f"mailchimp{hexid(19)}.{hexid(10)}")
    m.header("List-ID", f"{hexid(25)}mc list <{hexid(25)}.{RNG.randrange(10**5, 10**6)}.list-id.mcsv.net>")
    m.header("X-Accounttype", "pd")
    unsubscribe(m, f"https://{brand_domain.split('.')[0]}.{server}.list-manage.com/unsubscribe?u={hexid(25)}&id={hexid(10)}&e={hexid(10)}&c={hexid(10)}")
    return lambda target: f"https://{brand_domain.split('.')[0]}.{server}.list-manage.com/track/click?u={hexid(25)}&id={hexid(10)}&e={hexid(10)}"


def via_hubspot(m, brand_domain):
    """HubSpot: bounces at hubspotemail.net, links through *.hubspotlinks.com/Ctc/..."""
    m.header("Return-Path", f"<1axbtk{token(30).lower()}@bf{RNG.randrange(10, 99)}x.hubspotemail.net>")
    received(m, [(f"o{RNG.randrange(1, 99)}.p{RNG.randrange(10, 99)}.mailjet.com", f"54.174.{RNG.randrange(52, 63)}.{RNG.randrange(1, 250)}")])
    authentication(m, brand_domain, "bf.hubspotemail.net")
    dkim(m, brand_domain, "hs1")
    dkim(m, "hubspotemail.net", "hs2")
    m.header("X-HS-Cid", token(40))
    m.header("X-Report-Abuse-To", "abuse@hubspot.com")
    unsubscribe(m, f"https://hs-{RNG.randrange(10**6, 10**7)}.s.hubspotemail.net/hs/manage-preferences/unsubscribe?d={token(60)}")
    region = RNG.choice(["d2", "d3", "e1", "e2"])
    return lambda target: f"https://{region}{token(4)}.na1.hubspotlinks.com/Ctc/{token(2)}+113/{token(5)}/{token(40)}"


def via_braze(m, send_domain):
    """Braze over SparkPost: the brand's own sending subdomain and tracked links on it."""
    m.header("Return-Path", f"<msprvs1={token(20)}=bounces-{RNG.randrange(10**5, 10**6)}@{send_domain}>")
    received(m, [(f"mta-{RNG.randrange(10, 99)}-{RNG.randrange(10, 99)}.sparkpostmail.com", f"192.174.{RNG.randrange(80, 95)}.{RNG.randrange(1, 250)}")])
    authentication(m, send_domain, send_domain)
    dkim(m, send_domain, "scph0624")
    unsubscribe(m, f"https://ablink.{send_domain}/ls/click?upn={token(80)}")
    return lambda target: f"https://ablink.{send_domain}/ls/click?upn={token(160)}"


def direct(m, domain, dkim_domain=None, link=None):
    """A company's own mail servers (or Amazon SES / Microsoft 365 for its domain)."""
    m.header("Return-Path", f"<{RNG.choice(['bounce', 'noreply', 'mailer-daemon'])}@{domain}>")
    received(m, [(f"smtp-out{RNG.randrange(1, 9)}.{domain}", f"{RNG.randrange(20, 220)}.{RNG.randrange(1, 250)}.{RNG.randrange(1, 250)}.{RNG.randrange(1, 250)}")])
    authentication(m, dkim_domain or domain, domain)
    dkim(m, dkim_domain or domain)
    return link or (lambda target: target)


def via_ses(m, from_domain):
    """Amazon SES with the brand's custom MAIL FROM and its DKIM plus amazonses.com's."""
    m.header("Return-Path", f"<0100019{hexid(13)}-{hexid(8)}-{hexid(4)}-{hexid(4)}-{hexid(4)}-{hexid(12)}-000000@mail.{from_domain}>")
    received(m, [(f"a8-{RNG.randrange(10, 99)}.smtp-out.amazonses.com", f"54.240.8.{RNG.randrange(1, 250)}")])
    authentication(m, from_domain, f"mail.{from_domain}")
    dkim(m, from_domain, token(32).lower())
    dkim(m, "amazonses.com", "224i4yxa5dv7c2xz3womw6peuasteono")
    m.header("Feedback-ID", f"1.us-east-1.{token(44)}=:AmazonSES")
    return lambda target: target


def via_govdelivery(m):
    """GovDelivery (Granicus): agencies send from *.govdelivery.com; links go through
    links-N.govdelivery.com or lnks.gd with the real target in the path."""
    m.header("Return-Path", f"<bounce-{RNG.randrange(10**6, 10**7)}-{RNG.randrange(10**7, 10**8)}@public.govdelivery.com>")
    received(m, [(f"mta{RNG.randrange(10, 99)}.govdelivery.com", f"66.150.{RNG.randrange(10, 99)}.{RNG.randrange(1, 250)}")])
    authentication(m, "govdelivery.com", "public.govdelivery.com")
    dkim(m, "govdelivery.com", "gd1")
    m.header("X-Accountcode", RNG.choice(["USCDC", "USCMS", "USHHS", "USFDA", "USHRSA", "TXMB"]))
    m.header("X-Bulletin-Id", f"{RNG.randrange(10**7, 10**8)}")
    unsubscribe(m, f"https://public.govdelivery.com/accounts/USCMS/subscriber/one_click_unsubscribe?verification={token(40)}")

    def link(target):
        quoted = target.replace(":", "%3A").replace("/", "%2F")
        if RNG.random() < 0.5:
            return f"https://lnks.gd/l/{token(140)}/s/{RNG.randrange(10**6, 10**7)}/br/{RNG.randrange(10**11, 10**12)}-l"
        return f"https://links-{RNG.randrange(1, 6)}.govdelivery.com/CL0/{quoted}%3Futm_medium=email%26utm_source=govdelivery/1/{hexid(16)}-{hexid(8)}/{RNG.randrange(1, 300)}"

    return link


def via_m365(m, domain):
    """A practice or clinic's Microsoft 365 tenant."""
    tenant = domain.split(".")[0]
    m.header("Return-Path", f"<{m.from_addr}>")
    received(m, [(f"{RNG.choice(['BN8', 'CH3', 'SA1', 'DM6'])}PR{RNG.randrange(10, 19)}MB{RNG.randrange(1000, 9999)}.namprd{RNG.randrange(10, 20)}.prod.outlook.com", f"2603:10b6:{RNG.randrange(100, 999)}::{RNG.randrange(10, 99)}")])
    authentication(m, domain, domain)
    dkim(m, f"{tenant}.onmicrosoft.com", "selector1-" + tenant)
    m.header("X-MS-Exchange-Organization-AuthSource", f"CH3PR{RNG.randrange(10, 19)}MB{RNG.randrange(1000, 9999)}.namprd{RNG.randrange(10, 20)}.prod.outlook.com")
    m.header("X-MS-Has-Attach", "")
    m.header("Thread-Topic", m.subject)
    return lambda target: target


# --- link rewriting by the receiving practice's mail security ---------------------------------


def safe_links(target):
    quoted = target.replace(":", "%3A").replace("/", "%2F").replace("?", "%3F").replace("=", "%3D").replace("&", "%26")
    return f"https://nam{RNG.randrange(10, 12)}.safelinks.protection.outlook.com/?url={quoted}&data=05%7C02%7C%7C{hexid(32)}%7C{hexid(32)}%7C0%7C0%7C638{RNG.randrange(10**14, 10**15)}%7CUnknown&sdata={token(40)}%3D&reserved=0"


def proofpoint(target):
    return f"https://urldefense.com/v3/__{target}__;!!{token(10)}!{token(60)}$"


def mimecast(target):
    return f"https://protect-us.mimecast.com/s/{token(20)}?domain={target.split('/')[2]}"


def maybe_rewritten(url):
    roll = RNG.random()
    if roll < 0.12:
        return safe_links(url)
    if roll < 0.17:
        return proofpoint(url)
    if roll < 0.2:
        return mimecast(url)
    return url


# --- the kinds of mail ------------------------------------------------------------------------

HEALTH_SYSTEMS = [
    # name, From domain, portal host, ESP
    ("Sutter Health", "email.sutterhealth.org", "mychart.sutterhealth.org", "sfmc"),
    ("UW Medicine", "uwmedicine.org", "mychart.uwmedicine.org", "direct"),
    ("Atrium Health", "atriumhealth.org", "mychart.atriumhealth.org", "sendgrid"),
    ("Ochsner Health", "ochsner.org", "my.ochsner.org", "sfmc"),
    ("Baylor Scott & White Health", "bswhealth.org", "mybswhealth.com", "sendgrid"),
    ("Cleveland Clinic", "ccf.org", "mychart.clevelandclinic.org", "direct"),
    ("Intermountain Health", "imail.org", "mychart.intermountainhealthcare.org", "sfmc"),
    ("UCSF Health", "ucsf.edu", "ucsfmychart.ucsfmedicalcenter.org", "direct"),
]


def patient_portal_epic(org, to):
    name, domain, portal, esp = org
    kind = RNG.choice(["message", "result", "appointment", "bill", "letter"])
    subjects = {
        "message": "You have a new message in MyChart",
        "result": "New test result is available in MyChart",
        "appointment": "Reminder: your upcoming appointment",
        "bill": f"Your {name} statement is ready",
        "letter": "A new letter is available in MyChart",
    }
    display = RNG.choice([f"{name} MyChart", "MyChart", f"{name}"])
    sender = f"{RNG.choice(['mychart', 'donotreply', 'mychartnotification'])}@{domain}"
    m = Message(f"Epic MyChart notification, white-labelled by {name}, from its own domain ({esp})", display, sender, subjects[kind], to, when())
    link = {"sfmc": lambda: via_sfmc(m, domain), "sendgrid": lambda: via_sendgrid(m, domain), "direct": lambda: direct(m, domain)}[esp]()
    target = f"https://{portal}/MyChart/Authentication/Login?mode=stdfile&option=" + kind
    href = link(target)
    m.text = (
        f"Dear patient,\n\n{subjects[kind]}. To view it, log in to MyChart at https://{portal}/MyChart.\n\n"
        "For your security, we do not include health information in email. If you have questions, call "
        f"the number on the back of your card.\n\nThis message was sent from an unmonitored address. {name}"
    )
    m.html = html_page(
        subjects[kind],
        ["Dear patient,", f"{subjects[kind]}. To view it, log in to MyChart.", "For your security, we do not include health information in email."],
        [("Log in to MyChart", href)],
        f"This message was sent from an unmonitored address. Please do not reply. &copy; 2026 {name}. "
        f'Visit <a href="{link("https://" + portal + "/MyChart")}">{portal}/MyChart</a>. Epic and MyChart are trademarks of Epic Systems Corporation.',
    )
    return m


PORTAL_VENDORS = [
    ("athenahealth Patient Portal", "athenahealth.com", "mydoctor.kleer.com", "ses"),
    ("healow", "healow.com", "healow.com", "sendgrid"),
    ("NextGen Patient Portal", "nextmd.com", "www.nextmd.com", "direct"),
    ("FollowMyHealth", "followmyhealth.com", "www.followmyhealth.com", "sendgrid"),
]


def patient_portal_vendor(org, to):
    name, domain, portal, esp = org
    practice = RNG.choice(PRACTICES)[0]
    subject = RNG.choice([f"You have a new message from {practice}", f"Appointment reminder from {practice}", "Your lab results are ready to view"])
    m = Message(f"Patient-portal notification by {name} on behalf of a practice ({esp})", name, f"noreply@{domain}", subject, to, when())
    link = {"ses": lambda: via_ses(m, domain), "sendgrid": lambda: via_sendgrid(m, domain), "direct": lambda: direct(m, domain)}[esp]()
    href = link(f"https://{portal}/login?ref=email&practice={RNG.randrange(1000, 99999)}")
    m.text = f"{subject}.\n\nSign in to your patient portal to read it: https://{portal}\n\nPlease do not reply to this email."
    m.html = html_page(subject, [subject + ".", "Sign in to your patient portal to read it. For your privacy, details are not sent by email."], [("Sign in to the portal", href)], f"Sent by {name} on behalf of {practice}. Please do not reply to this email.")
    return m


PHARMACIES = [
    ("CVS Pharmacy", "info.cvspharmacy.com", "www.cvs.com", "sfmc"),
    ("Walgreens", "eml.walgreens.com", "www.walgreens.com", "sfmc"),
    ("Surescripts", "surescripts.com", "surescripts.com", "direct"),
    ("DrFirst", "drfirst.com", "www.drfirst.com", "sendgrid"),
    ("Express Scripts", "express-scripts.com", "www.express-scripts.com", "direct"),
    ("Rite Aid", "email.riteaid.com", "www.riteaid.com", "sfmc"),
]


def eprescribing(org, to):
    name, domain, site, esp = org
    subject = RNG.choice(["Prior authorization request received", "Your prescription is ready for pickup", "EPCS two-factor token reminder", "Refill request from your patient", "Formulary update for your patients"])
    m = Message(f"E-prescribing or pharmacy notice from {name} ({esp})", name, f"{RNG.choice(['noreply', 'notifications', 'pharmacy'])}@{domain}", subject, to, when())
    link = {"sfmc": lambda: via_sfmc(m, domain), "sendgrid": lambda: via_sendgrid(m, domain), "direct": lambda: direct(m, domain)}[esp]()
    href = link(f"https://{site}/account/prescriptions?src=email")
    m.text = f"{subject}.\n\nView details at https://{site}. Reference {RNG.randrange(10**6, 10**7)}.\n\nThis is an automated message."
    m.html = html_page(subject, [subject + ".", f"Reference number {RNG.randrange(10**6, 10**7)}."], [("View details", href)], f"&copy; {name}. This is an automated message; replies are not monitored.")
    return m


LABS = [
    ("Quest Diagnostics", "questdiagnostics.com", "myquest.questdiagnostics.com", "sfmc"),
    ("Labcorp", "labcorp.com", "patient.labcorp.com", "sendgrid"),
    ("Sonic Healthcare USA", "sonichealthcareusa.com", "www.sonichealthcareusa.com", "direct"),
    ("BioReference", "bioreference.com", "www.bioreference.com", "direct"),
]


def lab_results(org, to):
    name, domain, site, esp = org
    subject = RNG.choice(["Your test results are ready", "Results available for your patient", "Your appointment is confirmed"])
    m = Message(f"Laboratory result notification from {name} ({esp})", name, f"noreply@{domain}", subject, to, when())
    link = {"sfmc": lambda: via_sfmc(m, "email." + domain), "sendgrid": lambda: via_sendgrid(m, domain), "direct": lambda: direct(m, domain)}[esp]()
    href = link(f"https://{site}/results")
    m.text = f"{subject}. Sign in to view them at https://{site}.\n\nDo not reply to this email."
    m.html = html_page(subject, [subject + ".", "Sign in securely to view them."], [("View results", href)], f"&copy; 2026 {name}. All rights reserved.")
    return m


PAYERS = [
    ("UnitedHealthcare", "uhc.com", "www.uhcprovider.com", "sfmc"),
    ("Availity", "availity.com", "apps.availity.com", "direct"),
    ("Aetna", "aetna.com", "www.aetna.com", "sfmc"),
    ("Blue Cross Blue Shield of Texas", "bcbstx.com", "www.bcbstx.com", "direct"),
    ("Cigna Healthcare", "cigna.com", "cignaforhcp.cigna.com", "sfmc"),
    ("Humana", "humana.com", "provider.humana.com", "direct"),
]


def payer(org, to):
    name, domain, site, esp = org
    subject = RNG.choice(["Your Explanation of Benefits is ready", "Remittance advice available", "Claim status update", "Policy update for network providers", "Your electronic funds transfer has been sent"])
    m = Message(f"Payer portal or EOB notice from {name} ({esp})", name, f"{RNG.choice(['noreply', 'provider-news', 'notifications'])}@{RNG.choice(['email.', ''])}{domain}", subject, to, when())
    from_domain = m.from_addr.split("@")[1]
    link = {"sfmc": lambda: via_sfmc(m, from_domain), "direct": lambda: direct(m, from_domain)}[esp]()
    href = link(f"https://{site}/claims?utm_source=email")
    m.text = f"{subject}.\n\nSign in to {site} to view it.\n\n{name}"
    m.html = html_page(subject, [subject + ".", f"Sign in to {site} to view it. Payment and claim details are never sent by email."], [("Sign in", href)], f"&copy; 2026 {name}. Privacy | Terms")
    return m


def credentialing(org, to):
    name, domain, site = org
    subject = RNG.choice(["Reminder: re-attest your CAQH ProView profile", "Your CAQH ProView profile is due for attestation", "Action needed: documents expiring in your profile"])
    m = Message(f"Credentialing reminder from {name}", name, f"{RNG.choice(['noreply', 'proview'])}@{domain}", subject, to, when())
    link = via_sendgrid(m, domain)
    href = link(f"https://{site}/Account/Login")
    m.text = f"Dear Provider,\n\n{subject}. Log in to {site} to review and attest your information every 120 days.\n\nCAQH ProView Support"
    m.html = html_page(subject, ["Dear Provider,", f"{subject}. Please review and attest your information every 120 days."], [("Log in to ProView", href)], "CAQH, 1900 K Street NW, Washington, DC")
    return m


CREDENTIALING = [
    ("CAQH ProView", "caqh.org", "proview.caqh.org"),
    ("CAQH", "proview.caqh.org", "proview.caqh.org"),
    ("Verifiable", "verifiable.com", "app.verifiable.com"),
    ("Medallion", "medallion.co", "app.medallion.co"),
]

LICENSING = [
    ("DEA Diversion Control Division", "dea.gov", "apps.deadiversion.usdoj.gov", "direct"),
    ("Medical Board of California", "mbc.ca.gov", "www.breeze.ca.gov", "govdelivery"),
    ("Texas Medical Board", "tmb.state.tx.us", "www.tmb.state.tx.us", "govdelivery"),
    ("New York State Education Department", "nysed.gov", "www.op.nysed.gov", "direct"),
    ("Florida Board of Medicine", "flhealth.gov", "mqa-internet.doh.state.fl.us", "govdelivery"),
    ("Federation of State Medical Boards", "fsmb.org", "www.fsmb.org", "direct"),
]


def licensing(org, to):
    name, domain, site, esp = org
    subject = RNG.choice(["Your registration is due for renewal", "License renewal notice", "Reminder: renew before your expiration date", "Important update for licensees"])
    if esp == "govdelivery":
        sender = f"{domain.split('.')[0].upper()}@public.govdelivery.com"
    else:
        sender = f"{RNG.choice(['DEA.Registration.Help', 'noreply', 'licensing'])}@{domain}"
    m = Message(f"Licence or registration renewal notice from {name} ({esp})", name, sender, subject, to, when())
    link = via_govdelivery(m) if esp == "govdelivery" else direct(m, domain)
    href = link(f"https://{site}/renewal")
    m.text = f"{subject}.\n\nRenew online at https://{site}. If you have already renewed, no action is needed."
    m.html = html_page(subject, [subject + ".", "If you have already renewed, no action is needed."], [("Renew online", href)], f"{name}. This is an official notice.")
    return m


JOURNALS = [
    ("NEJM", "n.nejm.org", "www.nejm.org", "sfmc"),
    ("JAMA Network", "email.jamanetwork.com", "jamanetwork.com", "sfmc"),
    ("Medscape", "mail.medscape.com", "www.medscape.com", "direct"),
    ("The Lancet", "lancet.elsevier.com", "www.thelancet.com", "sendgrid"),
    ("AAFP CME", "email.aafp.org", "www.aafp.org", "hubspot"),
    ("UpToDate", "email.wolterskluwer.com", "www.uptodate.com", "sfmc"),
]


def journal(org, to):
    name, domain, site, esp = org
    subject = RNG.choice(["This week's table of contents", "New CME activities for you", "Latest research in your specialty", "Your CME credits are about to expire"])
    m = Message(f"Journal alert or CME notice from {name} ({esp})", name, f"{RNG.choice(['toc', 'alerts', 'news'])}@{domain}", subject, to, when())
    link = {"sfmc": lambda: via_sfmc(m, domain), "direct": lambda: direct(m, domain), "sendgrid": lambda: via_sendgrid(m, domain), "hubspot": lambda: via_hubspot(m, domain)}[esp]()
    articles = ["Outcomes of Early Rhythm Control", "GLP-1 Receptor Agonists in Primary Care", "Screening for Hypertension in Adults", "Antibiotic Stewardship in Outpatient Settings"]
    RNG.shuffle(articles)
    m.text = f"{subject}\n\n" + "\n".join(f"- {a}: https://{site}/doi/full/10.1056/{RNG.randrange(10**6, 10**7)}" for a in articles[:3])
    m.html = html_page(subject, [subject] + [f'<a href="{link("https://" + site + "/doi/full/" + str(RNG.randrange(10**6, 10**7)))}">{a}</a>' for a in articles[:3]], [("Read the issue", link(f"https://{site}/toc"))], f'You receive this because you subscribed. <a href="{link("https://" + site + "/preferences")}">Manage preferences</a>')
    return m


SOCIETIES = [
    ("AMA Morning Rounds", "e.ama-assn.org", "www.ama-assn.org", "sfmc"),
    ("American Academy of Pediatrics", "aap.org", "www.aap.org", "mailchimp"),
    ("American College of Physicians", "acponline.org", "www.acponline.org", "hubspot"),
    ("Texas Medical Association", "texmed.org", "www.texmed.org", "mailchimp"),
    ("Medical Group Management Association", "mgma.org", "www.mgma.com", "hubspot"),
    ("American Academy of Dermatology", "aad.org", "www.aad.org", "sendgrid"),
]


def society(org, to):
    name, domain, site, esp = org
    subject = RNG.choice([f"{name}: news for your practice", "Advocacy update: Medicare physician payment", "Register for the annual meeting", "Member spotlight and practice resources"])
    m = Message(f"Medical-society newsletter from {name} ({esp})", name, f"{RNG.choice(['news', 'info', 'membership'])}@{domain}", subject, to, when())
    link = {"sfmc": lambda: via_sfmc(m, domain), "mailchimp": lambda: via_mailchimp(m, domain), "hubspot": lambda: via_hubspot(m, domain), "sendgrid": lambda: via_sendgrid(m, domain)}[esp]()
    m.text = f"{subject}\n\nRead more at https://{site}/news\n\nYou are receiving this as a member. Unsubscribe or update preferences online."
    m.html = html_page(subject, [subject, f'Read the full story on <a href="{link("https://" + site + "/news")}">{site}</a>.'], [("Read more", link(f"https://{site}/news/{RNG.randrange(1000, 9999)}"))], f'&copy; 2026 {name}. <a href="{link("https://" + site + "/unsubscribe")}">Unsubscribe</a>')
    return m


AGENCIES = [
    ("Centers for Disease Control and Prevention", "cdc.gov", "www.cdc.gov"),
    ("Centers for Medicare & Medicaid Services", "cms.hhs.gov", "www.cms.gov"),
    ("U.S. Food and Drug Administration", "fda.hhs.gov", "www.fda.gov"),
    ("HHS Office for Civil Rights", "hhs.gov", "www.hhs.gov"),
    ("CMS MLN Connects", "cms.hhs.gov", "www.cms.gov"),
    ("HRSA", "hrsa.gov", "www.hrsa.gov"),
]


def government(org, to):
    name, domain, site = org
    subject = RNG.choice(["MLN Connects Newsletter", "Health Alert Network Health Advisory", "Upcoming call: Medicare enrollment for providers", "HIPAA guidance update", "Drug safety communication", "Weekly COVID-19 and respiratory virus update"])
    account = domain.split(".")[0].upper()
    m = Message(f"Federal health bulletin from {name} through GovDelivery", name, f"{account}@{RNG.choice(['public', 'service', 'subscriptions'])}.govdelivery.com", subject, to, when())
    link = via_govdelivery(m)
    m.text = f"{subject}\n\nRead the bulletin: https://{site}/newsroom\n\nThis email was sent using GovDelivery Communications Cloud on behalf of {name}."
    m.html = html_page(subject, [subject, f'Details on <a href="{link("https://" + site + "/newsroom")}">{site}</a>.', f'Join the call: <a href="{link("https://" + site + "/events")}">register here</a>.'], [], f'This email was sent to {to} using GovDelivery Communications Cloud on behalf of: {name}. <a href="{link("https://public.govdelivery.com/accounts/" + account + "/subscriber/edit")}">Manage subscriptions</a>')
    return m


def microsoft_sharing(org, to):
    practice, domain = org
    first, last = person()
    tenant = domain.split(".")[0]
    doc = RNG.choice(["Patient intake checklist.docx", "Q3 schedule.xlsx", "HIPAA training sign-off.pdf", "Front desk procedures.docx", "Referral log 2026.xlsx"])
    kind = RNG.choice(["share", "teams", "calendar"])
    if kind == "share":
        subject = f"{first} {last} shared \"{doc}\" with you"
        m = Message("Microsoft 365 (SharePoint/OneDrive) sharing notice", f"{first} {last} (via SharePoint Online)", "no-reply@sharepointonline.com", subject, to, when())
        m.header("Return-Path", "<no-reply@sharepointonline.com>")
        received(m, [("NAM12-MW2-obe.outbound.protection.outlook.com", "40.107.94.51")])
        authentication(m, "sharepointonline.com", "sharepointonline.com")
        dkim(m, "sharepointonline.com", "selector1")
        href = f"https://{tenant}.sharepoint.com/:{RNG.choice('wxb')}:/s/Practice/E{token(40)}?e={token(6)}"
        m.text = f"{first} {last} shared a file with you\n\n{doc}\n\nOpen: {href}\n\nThis link will work for anyone in {practice}.\n\nMicrosoft respects your privacy. Microsoft Corporation, One Microsoft Way, Redmond, WA 98052"
        m.html = html_page(subject, [f"{first} {last} shared a file with you", f"<b>{doc}</b>", f"This link will work for anyone in {practice}."], [("Open", href)], f'<a href="https://privacy.microsoft.com/privacystatement">Privacy Statement</a> Microsoft Corporation, One Microsoft Way, Redmond, WA 98052')
        return m
    if kind == "teams":
        subject = RNG.choice(["Staff huddle", "Case review", "Billing check-in", "Provider meeting"])
        m = Message("Microsoft Teams meeting invitation from a colleague", f"{first} {last}", f"{first.lower()}.{last.lower()}@{domain}", subject, to, when())
        via_m365(m, domain)
        join = f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{token(48)}%40thread.v2/0?context=%7b%22Tid%22%3a%22{hexid(8)}-{hexid(4)}-{hexid(4)}-{hexid(4)}-{hexid(12)}%22%7d"
        m.text = f"________________\nMicrosoft Teams meeting\nJoin on your computer, mobile app or room device\nClick here to join the meeting<{join}>\nMeeting ID: {RNG.randrange(100, 999)} {RNG.randrange(100, 999)} {RNG.randrange(100, 999)} {RNG.randrange(100, 999)}\nPasscode: {token(6)}\nDownload Teams<https://www.microsoft.com/en-us/microsoft-teams/download-app> | Join on the web<https://www.microsoft.com/microsoft-teams/join-a-meeting>\nLearn More<https://aka.ms/JoinTeamsMeeting> | Meeting options<https://teams.microsoft.com/meetingOptions/?organizerId={hexid(8)}>\n________________"
        m.html = html_page(subject, ["Microsoft Teams meeting", "Join on your computer, mobile app or room device", f'<a href="{join}">Click here to join the meeting</a>', f"Meeting ID: {RNG.randrange(100, 999)} {RNG.randrange(100, 999)}"], [], '<a href="https://aka.ms/JoinTeamsMeeting">Learn More</a> | <a href="https://www.microsoft.com/microsoft-teams/join-a-meeting">Join on the web</a>')
        return m
    subject = f"Accepted: {RNG.choice(['Staff huddle', 'Provider meeting', 'Lunch and learn'])} @ {RNG.choice(['Mon', 'Tue', 'Wed'])} 12:00 - 13:00"
    m = Message("Microsoft Outlook calendar response from a colleague", f"{first} {last}", f"{first.lower()}.{last.lower()}@{domain}", subject, to, when())
    via_m365(m, domain)
    m.text = f"{first} {last} has accepted this meeting."
    m.html = f"<html><body><p>{first} {last} has accepted this meeting.</p></body></html>"
    return m


def google_workspace(org, to):
    practice, domain = org
    first, last = person()
    kind = RNG.choice(["doc", "calendar", "security"])
    if kind == "doc":
        title = RNG.choice(["On-call rota", "Vaccine inventory", "Staff meeting notes", "New hire onboarding"])
        subject = f"Document shared with you: \"{title}\""
        m = Message("Google Workspace (Docs/Drive) sharing notice", f"{first} {last} (via Google Docs)", "drive-shares-dm-noreply@google.com", subject, to, when())
        href = f"https://docs.google.com/{RNG.choice(['document', 'spreadsheets'])}/d/{token(44)}/edit?usp=sharing_eil_m&ts={hexid(24)}"
    elif kind == "calendar":
        subject = f"Invitation: {RNG.choice(['Provider huddle', 'Quarterly review'])} @ {RNG.choice(['Thu', 'Fri'])} Oct {RNG.randrange(1, 28)}, 2026 8am - 8:30am (EDT) ({to})"
        m = Message("Google Calendar invitation", f"{first} {last}", "calendar-notification@google.com", subject, to, when())
        href = f"https://calendar.google.com/calendar/event?action=RESPOND&eid={token(60)}&rst=1&tok={token(40)}&ctz=America%2FNew_York&hl=en&es=0"
    else:
        subject = "Security alert"
        m = Message("Google account security alert", "Google", "no-reply@accounts.google.com", subject, to, when())
        href = f"https://accounts.google.com/AccountChooser?Email={to}&continue=https://myaccount.google.com/alert/nt/{int(m.sent.timestamp())}?rfn%3D127%26rfnc%3D1"
    m.header("Return-Path", f"<3{token(30)}@doclist.bounces.google.com>")
    received(m, [("mail-sor-f73.google.com", "209.85.220.73")])
    authentication(m, "google.com", "doclist.bounces.google.com")
    dkim(m, "google.com", "20230601")
    body = {"doc": f"{first} {last} ({first.lower()}@{domain}) has invited you to edit the following document.", "calendar": f"You have been invited by {first} {last} to this event.", "security": "A new sign-in on Mac. You're getting this email to make sure it was you."}[kind]
    m.text = f"{body}\n\n{href}\n\nGoogle LLC, 1600 Amphitheatre Parkway, Mountain View, CA 94043, USA"
    m.html = html_page(subject, [body], [("Open" if kind != "security" else "Check activity", href)], "Google LLC, 1600 Amphitheatre Parkway, Mountain View, CA 94043, USA")
    return m


def signatures(org, to):
    name, domain = org
    first, last = person()
    company = RNG.choice(["Riverside Imaging Center", "Medline Industries", "Lakeview Property Management", "Henry Schein"])
    doc = RNG.choice(["Business Associate Agreement", "Lease Renewal 2026", "Services Agreement", "Employment Offer"])
    subject = f"Please DocuSign: {doc}.pdf" if "DocuSign" in name else f"Signature requested on \"{doc}\""
    sender = f"dse_NA{RNG.randrange(2, 5)}@docusign.net" if "DocuSign" in name else "adobesign@adobesign.com"
    m = Message(f"Electronic signature request through {name}", f"{first} {last} via {name}", sender, subject, to, when())
    sign_domain = sender.split("@")[1]
    direct(m, sign_domain)
    if "DocuSign" in name:
        href = f"https://na{RNG.randrange(2, 5)}.docusign.net/Signing/EmailStart.aspx?a={hexid(8)}-{hexid(4)}-{hexid(4)}-{hexid(4)}-{hexid(12)}&etti=24&acct={hexid(8)}-{hexid(4)}-{hexid(4)}-{hexid(4)}-{hexid(12)}&er={hexid(8)}"
    else:
        href = f"https://secure.na{RNG.randrange(1, 4)}.adobesign.com/public/apiesign?pid=CBFCIBAA3AAABLblqZhB{token(40)}&client_id=CBJCHBCAABAA{token(20)}"
    m.text = f"{first} {last} from {company} sent you a document to review and sign.\n\nREVIEW DOCUMENT: {href}\n\nDo Not Share This Email. This email contains a secure link to {name}."
    m.html = html_page(subject, [f"{first} {last} sent you a document to review and sign.", f"{company}"], [("REVIEW DOCUMENT", href)], f"Do Not Share This Email. This email contains a secure link to {name}. Please do not share this email, link, or access code with others.")
    return m


SIGNATURES = [("DocuSign", "docusign.net"), ("Adobe Acrobat Sign", "adobesign.com"), ("DocuSign", "docusign.net"), ("Adobe Acrobat Sign", "adobesign.com")]


def telehealth(org, to):
    name, domain = org
    first, last = person()
    if name == "Zoom":
        subject = RNG.choice([f"{first} {last} is inviting you to a scheduled Zoom meeting", "Your Zoom cloud recording is now available", "Zoom Workplace: your account settings were updated"])
        m = Message("Zoom meeting invitation or account notice", "Zoom", "no-reply@zoom.us", subject, to, when())
        via_sendgrid(m, "zoom.us")
        href = f"https://us{RNG.randrange(2, 7)}web.zoom.us/j/{RNG.randrange(10**9, 10**10)}?pwd={token(32)}"
    elif name == "Doxy.me":
        subject = RNG.choice(["A patient is waiting in your room", "Your Doxy.me weekly summary"])
        m = Message("Doxy.me telehealth notification", "Doxy.me", "notifications@doxy.me", subject, to, when())
        via_ses(m, "doxy.me")
        href = f"https://doxy.me/sign-in?room=dr{last.lower()}"
    else:
        subject = RNG.choice(["Your telehealth visit is confirmed", "Join your video visit"])
        m = Message(f"{name} telehealth visit notice", name, f"no-reply@{domain}", subject, to, when())
        via_sendgrid(m, domain)
        href = f"https://{domain}/visit/{token(12)}"
    m.text = f"{subject}\n\nJoin: {href}\n\n{name} | Privacy"
    m.html = html_page(subject, [subject], [("Join", href)], f"&copy; 2026 {name}. Privacy Policy")
    return m


TELEHEALTH = [("Zoom", "zoom.us"), ("Doxy.me", "doxy.me"), ("VSee Clinic", "vsee.com"), ("Zoom", "zoom.us"), ("Doxy.me", "doxy.me"), ("SimplePractice", "simplepractice.com")]

PAYROLL = [
    ("ADP", "adp.com", "workforcenow.adp.com"),
    ("Gusto", "gusto.com", "app.gusto.com"),
    ("Paychex", "paychex.com", "myapps.paychex.com"),
    ("Rippling", "rippling.com", "app.rippling.com"),
]


def payroll(org, to):
    name, domain, site = org
    subject = RNG.choice(["Your pay statement is available", "Payroll processed for this period", "Your W-2 is ready to view", "Action required: review your benefits enrolment", "Reminder: payroll deadline tomorrow"])
    m = Message(f"Payroll and HR notice from {name}", name, f"{RNG.choice(['SecurityServices_NoReply', 'no-reply', 'notifications'])}@{domain}", subject, to, when())
    via_ses(m, domain) if name in ("Gusto", "Rippling") else direct(m, domain)
    href = f"https://{site}/?utm_source=email"
    m.text = f"{subject}.\n\nSign in to {name} to view it: https://{site}\n\nPlease do not respond to this message."
    m.html = html_page(subject, [subject + ".", f"Sign in to {name} to view it."], [("Sign in", href)], f"&copy; {name}. Please do not respond to this message.")
    return m


BANKS = [
    ("Chase", "chase.com", "www.chase.com", "alerts@chase.com"),
    ("Bank of America", "ealerts.bankofamerica.com", "www.bankofamerica.com", "onlinebanking@ealerts.bankofamerica.com"),
    ("Wells Fargo", "notify.wellsfargo.com", "www.wellsfargo.com", "alerts@notify.wellsfargo.com"),
    ("Capital One", "notification.capitalone.com", "www.capitalone.com", "capitalone@notification.capitalone.com"),
    ("American Express", "welcome.americanexpress.com", "www.americanexpress.com", "americanexpress@welcome.americanexpress.com"),
    ("Truist", "truist.com", "www.truist.com", "alerts@truist.com"),
]


def bank(org, to):
    name, domain, site, sender = org
    amount = f"${RNG.randrange(20, 4000)}.{RNG.randrange(10, 99)}"
    subject = RNG.choice([f"Your {amount} transaction with AMAZON MKTPL", "Your statement is ready", f"You sent {amount} with Zelle", "Your available balance is below your alert amount", "Direct deposit received"])
    m = Message(f"Bank alert from {name}", name, sender, subject, to, when())
    direct(m, domain)
    m.text = f"{subject}.\n\nAccount ending in {RNG.randrange(1000, 9999)}.\n\nIf you don't recognize this activity, call the number on the back of your card or sign in at {site}. Don't reply to this alert."
    m.html = html_page(subject, [subject + ".", f"Account ending in {RNG.randrange(1000, 9999)}.", "If you don't recognize this activity, call the number on the back of your card."], [("Sign in", f"https://{site}/")], f"Securely access your accounts at {site}. This service email was sent to you because of your alert settings.")
    return m


INVOICES = [
    ("QuickBooks", "notification.intuit.com", "connect.intuit.com"),
    ("Bill.com", "hq.bill.com", "app02.us.bill.com"),
    ("Stripe", "stripe.com", "invoice.stripe.com"),
    ("Square", "squareup.com", "squareup.com"),
]


INVOICE_LOCAL_PARTS = {"QuickBooks": "quickbooks", "Bill.com": "noreply", "Stripe": "invoice+statements", "Square": "noreply"}


def invoice(org, to):
    name, domain, site = org
    vendor = RNG.choice(["Medline Industries", "Henry Schein", "Stericycle", "CleanTech Janitorial", "Riverside IT Services"])
    amount = f"${RNG.randrange(80, 9000)}.{RNG.randrange(10, 99)}"
    number = RNG.randrange(1000, 99999)
    subject = f"Invoice {number} from {vendor}"
    m = Message(f"Vendor invoice through {name}", f"{vendor} via {name}" if name != "Stripe" else vendor, f"{INVOICE_LOCAL_PARTS[name]}@{domain}", subject, to, when())
    via_ses(m, domain) if name == "Stripe" else direct(m, domain)
    href = f"https://{site}/portal/app/CommerceNetwork/view/scs-v1-{hexid(48)}?locale=en_US&cta=viewinvoicenow"
    m.text = f"Dear customer,\n\nHere's your invoice! We appreciate your prompt payment.\n\nInvoice {number}: {amount} due {RNG.randrange(1, 28)}/11/2026\n\nView and pay: {href}\n\n{vendor}"
    m.html = html_page(subject, ["Dear customer,", "Here's your invoice! We appreciate your prompt payment.", f"Invoice {number} &mdash; <b>{amount}</b>"], [("Review and pay", href)], f"Powered by {name}. If you receive an email that seems fraudulent, please check with the business owner before paying.")
    return m


SHIPPING = [
    ("UPS", "ups.com", "www.ups.com", "pkginfo@ups.com"),
    ("FedEx", "fedex.com", "www.fedex.com", "TrackingUpdates@fedex.com"),
    ("USPS Informed Delivery", "email.informeddelivery.usps.com", "informeddelivery.usps.com", "USPSInformeddelivery@email.informeddelivery.usps.com"),
    ("Amazon Business", "amazon.com", "www.amazon.com", "shipment-tracking@amazon.com"),
    ("McKesson Medical-Surgical", "mckesson.com", "mms.mckesson.com", "noreply@mckesson.com"),
    ("DHL Express", "dhl.com", "www.dhl.com", "noreply@dhl.com"),
]


def shipping(org, to):
    name, domain, site, sender = org
    tracking = f"1Z{token(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}"
    subject = RNG.choice([f"{name} Update: Package Scheduled for Delivery Today", "Your shipment is on its way", f"Delivered: your order #{RNG.randrange(10**6, 10**7)}", "Your Daily Digest"])
    m = Message(f"Shipping notice from {name}", name, sender, subject, to, when())
    link = via_sfmc(m, domain) if name.startswith("USPS") else direct(m, domain)
    href = link(f"https://{site}/track?loc=en_US&tracknum={tracking}&requester=ST/trackdetails")
    m.text = f"{subject}\n\nTracking number: {tracking}\nTrack: https://{site}/track?tracknum={tracking}\n\nDo not reply to this automatically-generated email."
    m.html = html_page(subject, [subject, f"Tracking number: {tracking}"], [("Track your package", href)], f"&copy; 2026 {name}. All rights reserved. Do not reply to this email.")
    return m


OTP = [
    ("Okta", "okta.com", "noreply@okta.com"),
    ("Microsoft account team", "accountprotection.microsoft.com", "account-security-noreply@accountprotection.microsoft.com"),
    ("athenaOne", "athenahealth.com", "noreply@athenahealth.com"),
    ("Epic", "epic.com", "noreply@epic.com"),
    ("Duo Security", "duosecurity.com", "no-reply@duosecurity.com"),
    ("Dropbox", "dropbox.com", "no-reply@dropbox.com"),
]


def one_time_code(org, to):
    name, domain, sender = org
    code = RNG.randrange(100000, 999999)
    kind = RNG.choice(["code", "reset", "new-device"])
    subject = {"code": f"Your verification code is {code}", "reset": "Reset your password", "new-device": "New sign-in to your account"}[kind]
    m = Message(f"Password reset, one-time code or sign-in notice from {name}", name, sender, subject, to, when())
    direct(m, domain)
    site = f"https://{RNG.choice(['login', 'account', 'www'])}.{domain.split('.', 1)[1] if domain.count('.') > 1 else domain}"
    body = {
        "code": f"Use this code to finish signing in: {code}. It expires in 10 minutes. If you didn't request it, you can ignore this email.",
        "reset": "We received a request to reset your password. If you didn't make this request, ignore this email; your password will not change.",
        "new-device": "We noticed a new sign-in to your account from Chrome on Windows. If this was you, you don't need to do anything.",
    }[kind]
    buttons = [] if kind == "code" else [("Reset password" if kind == "reset" else "Review activity", f"{site}/security/{token(30)}")]
    m.text = body + (f"\n\n{buttons[0][1]}" if buttons else "")
    m.html = html_page(subject, [body], buttons, f"This is an automated message from {name}.")
    return m


MARKETING = [
    ("Costco", "online.costco.com", "www.costco.com", "sfmc"),
    ("Delta Air Lines", "e.delta.com", "www.delta.com", "sfmc"),
    ("Patagonia", "email.patagonia.com", "www.patagonia.com", "braze"),
    ("Uber", "uber.com", "www.uber.com", "braze"),
    ("Notion", "mail.notion.so", "www.notion.so", "sendgrid"),
    ("Calendly", "calendly.com", "calendly.com", "hubspot"),
    ("Zocdoc", "zocdoc.com", "www.zocdoc.com", "sendgrid"),
    ("Doximity", "doximity.com", "www.doximity.com", "mailchimp"),
    ("Target", "oe.target.com", "www.target.com", "sfmc"),
    ("Starbucks", "e.starbucks.com", "www.starbucks.com", "braze"),
]


def marketing(org, to):
    name, domain, site, esp = org
    subject = RNG.choice([f"{name}: new this week", "Your weekend picks are here", "Save 20% through Sunday", "What's new in your account", "Members get early access"])
    m = Message(f"Marketing newsletter from {name} through {esp}", name, f"{RNG.choice(['news', 'hello', 'deals', 'team'])}@{domain}", subject, to, when())
    link = {"sfmc": lambda: via_sfmc(m, domain), "braze": lambda: via_braze(m, domain), "sendgrid": lambda: via_sendgrid(m, domain), "hubspot": lambda: via_hubspot(m, domain), "mailchimp": lambda: via_mailchimp(m, domain)}[esp]()
    m.text = f"{subject}\n\nShop now: https://{site}/\n\nYou're receiving this email because you signed up at {site}. Unsubscribe: https://{site}/unsubscribe"
    m.html = html_page(
        subject,
        [subject, f'<a href="{link("https://" + site + "/deals")}"><img src="https://{site}/img/hero.jpg" alt="{name}" width="600"></a>', f'Browse <a href="{link("https://" + site + "/new")}">what\'s new</a> or visit <a href="{link("https://" + site + "/")}">{site}</a>.'],
        [("Shop now", link(f"https://{site}/shop"))],
        f'You are receiving this because you signed up at {site}. <a href="{link("https://" + site + "/unsubscribe")}">Unsubscribe</a> | <a href="{link("https://" + site + "/privacy")}">Privacy</a>',
    )
    return m


REFERRERS = [
    ("Riverside Cardiology Associates", "riversidecardiology.com"),
    ("Northgate Orthopedics", "northgateortho.com"),
    ("Bayview Women's Health", "bayviewwomenshealth.org"),
    ("Metro Sleep Center", "metrosleepcenter.com"),
]


def referral(org, to):
    name, domain = org
    first, last = person()
    subject = RNG.choice(["Referral: new patient consult", "Consult note for your patient", "Re: referral follow-up", "Records request for shared patient"])
    m = Message(f"Letter from another provider's office ({name}), links rewritten by a mail gateway", f"{first} {last}, MD", f"{first[0].lower()}{last.lower()}@{domain}", subject, to, when())
    via_m365(m, domain)
    site = f"https://www.{domain}/referrals"
    href = maybe_rewritten(site) if RNG.random() < 0.5 else safe_links(site)
    m.text = f"Dr. colleague,\n\nThank you for the referral. The consult note is in the fax we sent today; our referral form is at www.{domain}/referrals.\n\nBest regards,\n{first} {last}, MD\n{name}\nPhone (555) {RNG.randrange(100, 999)}-{RNG.randrange(1000, 9999)}\n\nCONFIDENTIALITY NOTICE: This message may contain protected health information."
    m.html = f'<html><body><div style="font-family:Calibri,sans-serif"><p>Dr. colleague,</p><p>Thank you for the referral. The consult note is in the fax we sent today; our referral form is at <a href="{href}">www.{domain}/referrals</a>.</p><p>Best regards,<br>{first} {last}, MD<br>{name}</p><p style="font-size:10px">CONFIDENTIALITY NOTICE: This message may contain protected health information.</p></div></body></html>'
    if RNG.random() < 0.4:
        m.attachments.append(("consult-note.pdf", "application/pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"))
    return m


def colleague(org, to):
    """Plain mail between staff of the same practice, sometimes with a document."""
    practice, domain = org
    first, last = person()
    subject = RNG.choice(["Schedule for next week", "Coverage on Friday", "Supply order", "Updated phone list", "Re: patient callback", "Lunch order"])
    m = Message("Colleague's message inside the practice's own Microsoft 365", f"{first} {last}", f"{first.lower()}.{last.lower()}@{domain}", subject, to, when())
    via_m365(m, domain)
    m.text = f"Hi,\n\n{RNG.choice(['Attached is the updated list.', 'Can you cover the front desk from 2 to 5?', 'Please confirm the order by Thursday.', 'I called them back; they will come in Monday.'])}\n\nThanks,\n{first}"
    m.html = f"<html><body><p>Hi,</p><p>{m.text.splitlines()[2]}</p><p>Thanks,<br>{first}</p></body></html>"
    if RNG.random() < 0.4:
        m.attachments.append((RNG.choice(["schedule.xlsx", "phone-list.docx"]), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04" + bytes(RNG.randrange(0, 256) for _ in range(200))))
    return m


KINDS = [
    ("patient-portal-epic", HEALTH_SYSTEMS, patient_portal_epic),
    ("patient-portal-vendor", PORTAL_VENDORS, patient_portal_vendor),
    ("eprescribing-pharmacy", PHARMACIES, eprescribing),
    ("lab-results", LABS, lab_results),
    ("payer", PAYERS, payer),
    ("credentialing", CREDENTIALING, credentialing),
    ("licensing", LICENSING, licensing),
    ("journal-cme", JOURNALS, journal),
    ("society-newsletter", SOCIETIES, society),
    ("government-govdelivery", AGENCIES, government),
    ("microsoft-365", PRACTICES, microsoft_sharing),
    ("google-workspace", PRACTICES, google_workspace),
    ("e-signature", SIGNATURES, signatures),
    ("telehealth", TELEHEALTH, telehealth),
    ("payroll-hr", PAYROLL, payroll),
    ("bank-alert", BANKS, bank),
    ("vendor-invoice", INVOICES, invoice),
    ("shipping", SHIPPING, shipping),
    ("password-and-codes", OTP, one_time_code),
    ("marketing-esp", MARKETING, marketing),
    ("referral-letter", REFERRERS, referral),
    ("colleague", PRACTICES, colleague),
]


def main():
    for part in ("train", "validation"):
        shutil.rmtree(os.path.join(HERE, part), ignore_errors=True)
        os.makedirs(os.path.join(HERE, part))
    written = {"train": 0, "validation": 0}
    for kind, orgs, make in KINDS:
        for position, org in enumerate(orgs):
            part = "train" if position % 2 == 0 else "validation"
            for n in range(MESSAGES_PER_ORG):
                practice_name, practice_domain = RNG.choice(PRACTICES)
                first, last = person()
                to = f"{first[0].lower()}{last.lower()}@{practice_domain}"
                message = make(org, to).render()
                digest = hashlib.sha256(message.encode()).hexdigest()[:8]
                name = f"{kind}-{position}-{n}-{digest}.eml"
                with open(os.path.join(HERE, part, name), "w", encoding="utf-8", newline="\n") as f:
                    f.write(message)
                written[part] += 1
    print(f"train {written['train']}, validation {written['validation']}, kinds {len(KINDS)}")


if __name__ == "__main__":
    main()
