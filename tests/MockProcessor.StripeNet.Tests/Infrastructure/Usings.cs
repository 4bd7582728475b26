global using System.Net;
global using FluentAssertions;
global using MockProcessor.StripeNet.Tests.Infrastructure;
global using Stripe;
