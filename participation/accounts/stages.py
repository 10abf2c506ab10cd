"""allauth's sign-in stages, adapted to accounts that have a phone number and no email."""

from allauth.account.stages import EmailVerificationStage as AllauthEmailVerificationStage


class EmailVerificationStage(AllauthEmailVerificationStage):
    """Email verification stays mandatory for a sign-in with an email address. A sign-in with
    a mobile number (an account made with a number alone, or a code asked by SMS) has no
    address to verify: the phone verification stage, which comes before this one, has
    already checked the number by a code."""

    def handle(self):
        user = self.login.user
        if user is not None and not self.login.email and user.phone and user.phone_verified:
            return None, True
        return super().handle()
