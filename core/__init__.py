"""What every app shares: domain errors, money, time parsing, the transition helper, the job base.

Django only: no app of the domain is imported here, and no concrete model lives here.
"""
