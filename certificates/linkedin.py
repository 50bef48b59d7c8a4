"""The "Add to LinkedIn profile" link of a certificate: LinkedIn's documented add-to-profile
URL with the certification prefilled. Only a link; nothing here talks to LinkedIn."""

from urllib.parse import urlencode

from django.conf import settings

from certificates.models import Certificate

ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def linkedin_add_url(certificate: Certificate) -> str:
    """Name, organisation, issue year and month (1-12), expiry when the certificate expires,
    the verify page as certUrl and the serial as certId."""
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": certificate.course_title,
        "organizationName": settings.CERT_ISSUER_NAME,
    }
    issued = certificate.issued_at or certificate.completed_at
    params |= {"issueYear": issued.year, "issueMonth": issued.month}
    if certificate.valid_until is not None:
        params |= {
            "expirationYear": certificate.valid_until.year,
            "expirationMonth": certificate.valid_until.month,
        }
    params |= {"certUrl": certificate.verify_url, "certId": certificate.serial}
    return f"{ADD_TO_PROFILE}?{urlencode(params)}"
